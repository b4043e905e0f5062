// Le texte français sur le flux de l'écran lui-même (son adaptation à une liaison
// lente), pendant de en-stream.ts. Typé sur ses clés : une clé manquante ou en
// trop est une erreur de type.

import type { enStream } from './en-stream.ts';

export const frStream: Readonly<Record<keyof typeof enStream, string>> = {
  'session.slowLink': 'Connexion lente',
  'session.slowLinkHint':
    'La connexion est lente : l’écran est envoyé à {fps} images par seconde et les images animées en qualité réduite ({quality}). Le texte reste net. La pleine qualité revient d’elle-même quand la connexion s’améliore.',
};
