// The English text of the session's screen colour modes: the selector in the
// session toolbar and its messages. en.ts spreads it into the one English
// catalogue; fr-screen-modes.ts mirrors it.

export const enScreenModes = {
  'screenMode.label': 'Screen colours',
  'screenMode.hint': 'Screen colours: {mode} (Ctrl+Alt+Shift+Q)',
  'screenMode.hintViewOnly': 'Screen colours: {mode}. Only a technician in control of the session can change them.',
  'screenMode.unknown': 'Not known yet',
  'screenMode.switching': 'Switching…',
  'screenMode.menuHint': 'Press 1 to 5 to choose, Esc to close.',
  'screenMode.black_and_white': 'Black and white',
  'screenMode.black_and_white.detail': 'Least bandwidth; text stays readable',
  'screenMode.few_colours': 'Few colours',
  'screenMode.few_colours.detail': '216 colours',
  'screenMode.more_colours': 'More colours',
  'screenMode.more_colours.detail': '65,536 colours',
  'screenMode.all_colours': 'All colours',
  'screenMode.all_colours.detail': 'True colour; moving pictures may blur until they stop',
  'screenMode.video': 'Video',
  'screenMode.video.detail': 'Smooth moving pictures (H.264); text is softer',
  'screenMode.videoUnsupported': 'This browser cannot decode the video (H.264 through WebCodecs): the screen stays in tiles.',
  'screenMode.videoFailed': 'The video could not be decoded ({detail}): the screen is back to all colours.',
  'screenMode.refused': 'The screen colours were not changed: {reason}',
};
