// Le texte français des sessions accompagnées (portail, invitation par clé de
// session, appareils et sessions accompagnés), pendant de en-attended.ts. Typé sur
// ses clés : une clé manquante ou en trop est une erreur de type.

import type { enAttended } from './en-attended.ts';

export const frAttended: Readonly<Record<keyof typeof enAttended, string>> = {
  'portal.title': 'Obtenir de l’aide',
  'portal.subtitle': 'Saisissez la clé de session que votre technicien vous a donnée.',
  'portal.technicianSignIn': 'Connexion technicien',
  'portal.openConsole': 'Ouvrir la console',
  'portal.signedInAs': 'Connecté en tant que {email}',
  'portal.signOut': 'Se déconnecter',
  'portal.keyLabel': 'Clé de session',
  'portal.keyHint': '9 chiffres, par exemple 123 456 789.',
  'portal.check': 'Continuer',
  'portal.checking': 'Vérification…',
  'portal.keyIncomplete': 'Une clé de session compte 9 chiffres. Vérifiez votre saisie.',
  'portal.invalid': 'Cette clé est inconnue ou a expiré. Vérifiez les chiffres, ou demandez une nouvelle clé à votre technicien.',
  'portal.throttled': 'Trop de clés erronées ont été essayées depuis votre réseau : le portail fait une pause.',
  'portal.serverSays': 'Le serveur indique : {message}',
  'portal.helper': '{technician} ({company}) va vous aider.',
  'portal.keyExpiresIn': 'Cette clé expire dans {time}.',
  'portal.keyExpired': 'Cette clé a expiré. Demandez-en une nouvelle à votre technicien.',
  'portal.stepsTitle': 'Pour rejoindre la session',
  'portal.step.install':
    'Installez l’agent Reach (le programme « reach ») sur cet ordinateur. Il fonctionne sous Linux avec un bureau X11 ; votre technicien peut vous dire où le trouver.',
  'portal.step.run': 'Ouvrez un terminal sur le bureau de cet ordinateur et lancez cette commande :',
  'portal.step.keep':
    'Laissez-la tourner. Votre ordinateur apparaît alors chez votre technicien, qui ouvre la session. Elle s’arrête d’elle-même à la fin de la session ; Ctrl+C l’arrête plus tôt.',
  'portal.command': 'Commande à lancer',
  'portal.copyCommand': 'Copier la commande',
  'portal.fingerprint': 'Empreinte du serveur',
  'portal.fingerprintHint': 'La commande s’en sert pour s’assurer qu’elle parle à ce serveur et à nul autre.',
  'portal.ticketExpiresIn': 'Cette commande n’est valable que pour vous, pendant {time}.',
  'portal.ticketExpired': 'Cette commande ne fonctionne plus : son laissez-passer à usage unique a expiré.',
  'portal.newCommand': 'Obtenir une nouvelle commande',
  'portal.signInTitle': 'Connectez-vous pour continuer',
  'portal.signInBody': '{company} n’aide que ses propres membres. Connectez-vous avec votre compte {company} pour obtenir la commande.',
  'portal.signIn': 'Se connecter avec son compte d’entreprise',
  'portal.otherCompanyTitle': 'Ce compte n’appartient pas à {company}',
  'portal.otherCompanyBody': 'Vous êtes connecté en tant que {email}, qui n’est pas un compte de l’entreprise {company}. {company} n’aide que ses propres membres.',
  'portal.signInOther': 'Se connecter avec un autre compte',
  'login.subtitlePortal': 'Connectez-vous avec votre compte d’entreprise pour rejoindre la session d’assistance.',

  'invite.open': 'Inviter avec une clé de session',
  'invite.title': 'Inviter un utilisateur',
  'invite.creating': 'Création d’une clé de session…',
  'invite.intro': 'Dictez cette clé à l’utilisateur, ou envoyez-lui le lien. Elle ne sert qu’une fois.',
  'invite.key': 'Clé de session',
  'invite.copyKey': 'Copier la clé',
  'invite.link': 'Lien du portail',
  'invite.copyLink': 'Copier le lien',
  'invite.expiresIn': 'Expire dans {time}',
  'invite.expired': 'Cette clé a expiré : l’utilisateur ne peut plus s’en servir.',
  'invite.createNew': 'Créer une nouvelle clé',
  'invite.next':
    'Le portail donne à l’utilisateur une commande à lancer sur son ordinateur. Une fois lancée, l’ordinateur apparaît dans Appareils, marqué Accompagné : ouvrez la session depuis là.',
  'invite.failed': 'Impossible de créer une clé de session : {reason}',
  'help.invite': 'Inviter un utilisateur avec une clé de session',

  'devices.attended': 'Accompagné',
  'devices.attendedHint': 'Connecté avec une clé de session pour une seule session. Il quitte la liste à la fin de la session.',
  'devices.endUser': 'Utilisateur : {email}',
  'devices.forTechnician': 'Pour {name}',
  'devices.forAnotherTechnician': 'Pour un autre technicien',
  'devices.attendedOthersHint': 'Seul le technicien qui a invité l’utilisateur peut ouvrir cette session.',
  'devices.emptyBodyAttended': 'Invitez un utilisateur avec une clé de session : son ordinateur apparaît ici dès qu’il lance la commande que le portail lui donne.',

  'sessions.col.endUser': 'Utilisateur',
  'sessions.anonymousEndUser': 'Utilisateur anonyme',

  'company.tenantOnly': 'N’aider que les membres de l’entreprise',
  'company.tenantOnlyHint':
    'Les utilisateurs doivent se connecter avec un compte de cette entreprise pour rejoindre une session avec une clé de session. Désactivé : toute personne ayant la clé peut la rejoindre.',

  'audit.code.R3002I': 'Clé de session créée',
  'audit.code.R3003I': 'Appareil connecté avec une clé de session',
  'audit.target.session_key': 'Clé de session',
  'audit.detail.technician_id': 'ID du technicien',
  'audit.detail.end_user': 'Utilisateur',
  'audit.detail.tenant_only_before': 'Aide réservée aux membres avant',
  'audit.detail.tenant_only_after': 'Aide réservée aux membres après',

  'error.session_key_invalid': 'La clé de session est inconnue ou a expiré.',
  'error.join_ticket_required': 'Cette entreprise n’aide que ses membres : connectez-vous sur le portail pour obtenir une commande à votre nom.',
};
