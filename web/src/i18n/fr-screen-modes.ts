// Le texte français des modes de couleur de l’écran, pendant de en-screen-modes.ts.
// Typé sur ses clés : une clé manquante ou en trop est une erreur de type.

import type { enScreenModes } from './en-screen-modes.ts';

export const frScreenModes: Readonly<Record<keyof typeof enScreenModes, string>> = {
  'screenMode.label': 'Couleurs de l’écran',
  'screenMode.hint': 'Couleurs de l’écran : {mode} (Ctrl+Alt+Maj+Q)',
  'screenMode.hintViewOnly': 'Couleurs de l’écran : {mode}. Seul un technicien qui contrôle la session peut les changer.',
  'screenMode.unknown': 'Pas encore connues',
  'screenMode.switching': 'Changement…',
  'screenMode.menuHint': 'Appuyez sur 1 à 5 pour choisir, Échap pour fermer.',
  'screenMode.black_and_white': 'Noir et blanc',
  'screenMode.black_and_white.detail': 'Le moins de bande passante ; le texte reste lisible',
  'screenMode.few_colours': 'Peu de couleurs',
  'screenMode.few_colours.detail': '216 couleurs',
  'screenMode.more_colours': 'Plus de couleurs',
  'screenMode.more_colours.detail': '65 536 couleurs',
  'screenMode.all_colours': 'Toutes les couleurs',
  'screenMode.all_colours.detail': 'Couleurs réelles ; les images animées peuvent être floues jusqu’à leur arrêt',
  'screenMode.video': 'Vidéo',
  'screenMode.video.detail': 'Images animées fluides (H.264) ; texte moins net',
  'screenMode.videoUnsupported': 'Ce navigateur ne sait pas décoder la vidéo (H.264 par WebCodecs) : l’écran reste en tuiles.',
  'screenMode.videoFailed': 'La vidéo n’a pas pu être décodée ({detail}) : l’écran repasse en toutes les couleurs.',
  'screenMode.refused': 'Les couleurs de l’écran n’ont pas changé : {reason}',
  'monitor.label': 'Écrans',
  'monitor.hint': 'Écran affiché : {monitor} (Ctrl+Alt+Maj+M)',
  'monitor.hintViewOnly': 'Écran affiché : {monitor}. Seul un technicien qui contrôle la session peut en choisir un autre.',
  'monitor.switching': 'Changement…',
  'monitor.all': 'Tous les écrans',
  'monitor.allDetail': 'Le bureau entier, {width} × {height}',
  'monitor.detail': '{width} × {height} à {x}, {y}',
  'monitor.primary': 'P',
  'monitor.primaryTitle': 'Écran principal',
  'monitor.menuHint': 'Appuyez sur 1 à {count} pour choisir, Échap pour fermer. P désigne l’écran principal.',
};
