// Le texte français de la double authentification, pendant de en-two-factor.ts.
// Typé sur ses clés : une clé manquante ou en trop est une erreur de type.

import type { enTwoFactor } from './en-two-factor.ts';

export const frTwoFactor: Readonly<Record<keyof typeof enTwoFactor, string>> = {
  'login.codeSubtitle': 'Saisissez le code à 6 chiffres que votre application d’authentification affiche pour Reach.',
  'login.recoverySubtitle':
    'Saisissez l’un des codes de récupération enregistrés lors de la mise en place de la double authentification. Chacun ne sert qu’une fois.',
  'login.signingInAs': 'Connexion en tant que {email}',
  'login.code': 'Code d’authentification',
  'login.recoveryCode': 'Code de récupération',
  'login.recoveryHint': 'Il ressemble à abcd-efgh-jkmn.',
  'login.useRecovery': 'Utiliser un code de récupération',
  'login.useApp': 'Utiliser l’application d’authentification',
  'login.verify': 'Valider',
  'login.verifying': 'Vérification…',
  'login.back': 'Revenir à l’e-mail et au mot de passe',
  'login.codeInvalid': 'Code incorrect ou déjà utilisé. Saisissez le code que l’application affiche maintenant.',
  'login.recoveryInvalid': 'Code de récupération incorrect ou déjà utilisé.',
  'login.recoveryFormat': 'Un code de récupération compte 12 lettres et chiffres, comme abcd-efgh-jkmn.',

  'twoFactor.title': 'Double authentification',
  'twoFactor.about':
    'Après votre mot de passe, la connexion demande un code d’une application d’authentification sur votre téléphone : un mot de passe volé ne suffit plus.',
  'twoFactor.status': 'État',
  'twoFactor.on': 'Activée',
  'twoFactor.off': 'Désactivée',
  'twoFactor.turnOn': 'Activer',
  'twoFactor.turnOff': 'Désactiver',
  'twoFactor.starting': 'Préparation…',
  'twoFactor.scan':
    '1. Scannez ce QR code avec une application d’authentification, comme Aegis, FreeOTP, Google Authenticator ou Microsoft Authenticator.',
  'twoFactor.qrLabel': 'QR code à scanner avec votre application d’authentification',
  'twoFactor.manual': 'Impossible de le scanner ? Ajoutez le compte à la main avec cette clé (basé sur le temps, 6 chiffres, toutes les 30 secondes) :',
  'twoFactor.key': 'Clé de configuration',
  'twoFactor.copyKey': 'Copier la clé de configuration',
  'twoFactor.enterCode': '2. Saisissez le code à 6 chiffres que l’application affiche',
  'twoFactor.confirm': 'Confirmer',
  'twoFactor.confirming': 'Vérification…',
  'twoFactor.codeFormat': 'Saisissez les 6 chiffres affichés par l’application.',
  'twoFactor.codeMismatch':
    'Le code ne correspond pas. Vérifiez que votre téléphone règle son heure automatiquement, puis saisissez le code que l’application affiche maintenant.',
  'twoFactor.codesTitle': 'Enregistrez vos codes de récupération',
  'twoFactor.codesOnce':
    'Enregistrez ces codes maintenant, ailleurs que sur votre téléphone : ils ne sont affichés qu’une seule fois. Si vous perdez votre téléphone, chaque code permet de se connecter une fois.',
  'twoFactor.codesLabel': 'Codes de récupération',
  'twoFactor.copyCodes': 'Copier les codes de récupération',
  'twoFactor.download': 'Télécharger en .txt',
  'twoFactor.fileHeading': 'Codes de récupération Reach. Chacun permet de se connecter une fois, à la place de l’application d’authentification.',
  'twoFactor.saved': 'Je les ai enregistrés',
  'twoFactor.enabled': 'La double authentification est activée.',
  'twoFactor.disableTitle': 'Désactiver la double authentification ?',
  'twoFactor.disableBody':
    'La connexion ne demandera plus que votre mot de passe, et votre application d’authentification comme vos codes de récupération ne fonctionneront plus. Saisissez votre mot de passe pour confirmer.',
  'twoFactor.password': 'Mot de passe',
  'twoFactor.wrongPassword': 'Le mot de passe est incorrect.',
  'twoFactor.disabled': 'La double authentification est désactivée.',

  'twoFactor.required.title': 'Mettre en place la double authentification',
  'twoFactor.required.body': 'Votre entreprise exige la double authentification. Tant qu’elle n’est pas en place, le reste de la console vous reste fermé.',
  'twoFactor.required.how': 'Il vous faut une application d’authentification sur votre téléphone. Cela prend une minute.',
  'twoFactor.required.start': 'La mettre en place',
  'twoFactor.required.continue': 'Continuer vers la console',
  'twoFactor.required.signedInAs': 'Connecté en tant que {email}',

  'users.col.twoFactor': 'Double authentification',
  'users.twoFactor.on': 'Activée',
  'users.twoFactor.off': 'Désactivée',
  'users.resetTwoFactor': 'Réinitialiser la double authentification',
  'users.resetTwoFactorUser': 'Réinitialiser la double authentification de {name}',
  'users.resetTitle': 'Réinitialiser la double authentification de {name} ?',
  'users.resetBody':
    'L’application d’authentification et les codes de récupération de {name} cessent de fonctionner, et son mot de passe suffit pour se connecter. La double authentification pourra être remise en place sur la page du compte ; si l’entreprise l’exige, il faudra le faire tout de suite.',
  'users.resetConfirm': 'Réinitialiser la double authentification',
  'users.resetDone': 'La double authentification de {name} a été réinitialisée.',

  'company.selfTwoFactorWarning':
    'Vous n’avez pas vous-même mis en place la double authentification : dès l’enregistrement, il vous faudra le faire avant de pouvoir utiliser la console.',

  'audit.detail.second_factor': 'Second facteur',
  'audit.detail.by': 'Par',
  'audit.value.authenticator_code': 'code de l’application d’authentification',
  'audit.value.recovery_code': 'code de récupération',
  'audit.value.self': 'l’utilisateur lui-même',
  'audit.value.administrator': 'un administrateur',
  'audit.value.wrong_second_factor': 'code incorrect ou déjà utilisé',
  'audit.value.password_sign_in_disabled': 'connexion par mot de passe désactivée dans l’entreprise',
};
