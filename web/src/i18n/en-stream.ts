// The English text about the screen stream itself: how it adapts to a slow link.
// en.ts spreads it into the one English catalogue; fr-stream.ts mirrors it.

export const enStream = {
  'session.slowLink': 'Slow connection',
  'session.slowLinkHint':
    'The connection is slow, so the screen is sent at {fps} frames per second and moving pictures at lower quality ({quality}). Text stays sharp. Full quality comes back by itself when the connection improves.',
} as const;
