// Le texte français des outils presse-papiers et blocage de la vue de session.
// Reflète en-device-tools.ts clé pour clé.

import type { enDeviceTools } from './en-device-tools.ts';

export const frDeviceTools: Record<keyof typeof enDeviceTools, string> = {
  'clipboard.tool': 'Presse-papiers',
  'clipboard.toolHint': 'Presse-papiers : envoyez le vôtre à l’appareil, copiez ce que l’appareil a copié (Ctrl+Alt+Maj+V envoie le vôtre)',
  'clipboard.title': 'Presse-papiers',
  'clipboard.deviceTitle': 'Copié sur l’appareil',
  'clipboard.deviceNone': 'Rien n’a été copié sur l’appareil depuis votre connexion.',
  'clipboard.deviceTooLarge': 'Un contenu trop volumineux pour être envoyé a été copié sur l’appareil ({size} Kio ; la limite est de {limit} Kio).',
  'clipboard.deviceNotText': 'Un contenu qui n’est pas du texte (une image ou des fichiers) a été copié sur l’appareil.',
  'clipboard.copy': 'Copier dans mon presse-papiers',
  'clipboard.mineTitle': 'Votre presse-papiers',
  'clipboard.send': 'Envoyer mon presse-papiers',
  'clipboard.sending': 'Envoi…',
  'clipboard.applied': 'Le presse-papiers de l’appareil contient votre texte ({count} caractères) : collez-le avec Ctrl+V ou le bouton du milieu de la souris.',
  'clipboard.readRefused': 'Le navigateur n’a pas permis à Reach de lire votre presse-papiers. Collez le texte ici, puis envoyez-le :',
  'clipboard.sendText': 'Envoyer',
  'clipboard.empty': 'Il n’y a aucun texte à envoyer.',
  'clipboard.tooLarge': 'Ce texte est trop volumineux pour être envoyé : {size} Kio, la limite est de {limit} Kio.',
  'clipboard.unavailable': 'L’appareil ne peut pas utiliser son presse-papiers pour l’instant.',

  'block.block': 'Bloquer la saisie de l’utilisateur',
  'block.unblock': 'Rendre la saisie à l’utilisateur',
  'block.blockHint': 'Bloquer le clavier et la souris de l’utilisateur ; les vôtres continuent de fonctionner (Ctrl+Alt+Maj+B)',
  'block.unblockHint': 'Rendre à l’utilisateur son clavier et sa souris (Ctrl+Alt+Maj+B)',
  'block.badge': 'Utilisateur bloqué',
  'block.pending': 'En attente de l’appareil…',
  'block.blockedNotice': 'Le clavier et la souris de l’utilisateur sont bloqués ; les vôtres fonctionnent. Il peut reprendre la main à tout moment en appuyant trois fois sur Échap en moins de 2 secondes : dites-le-lui.',
  'block.takenBack': 'L’utilisateur a repris la main sur son clavier et sa souris.',
  'block.unavailable': 'Cet appareil ne peut pas bloquer la saisie de son utilisateur (il faut X11 avec XInput 2, sans autre programme qui retienne un périphérique).',

  'audit.code.R3004I': 'Saisie de l’utilisateur bloquée',
  'audit.value.technician': 'le technicien',
  'audit.value.end_user': 'l’utilisateur, sur l’appareil',
  'audit.code.R3005I': 'Saisie rendue à l’utilisateur',
  'error.clipboard_too_large': 'Le texte du presse-papiers est trop volumineux pour être envoyé.',
};
