// The English text of attended sessions: the portal where an end user enters a
// session key, the technician's invitation that creates one, and how attended
// devices and sessions show in the console. en.ts spreads it into the one English
// catalogue; fr-attended.ts mirrors it.

export const enAttended = {
  'portal.title': 'Get help',
  'portal.subtitle': 'Enter the session key your technician gave you.',
  'portal.technicianSignIn': 'Technician sign-in',
  'portal.openConsole': 'Open the console',
  'portal.signedInAs': 'Signed in as {email}',
  'portal.signOut': 'Sign out',
  'portal.keyLabel': 'Session key',
  'portal.keyHint': '9 digits, such as 123 456 789.',
  'portal.check': 'Continue',
  'portal.checking': 'Checking…',
  'portal.keyIncomplete': 'A session key has 9 digits. Check what you typed.',
  'portal.invalid': 'This key is unknown or has expired. Check the digits, or ask your technician for a new key.',
  'portal.throttled': 'Too many wrong keys were tried from your network, so the portal is resting for a while.',
  'portal.serverSays': 'The server says: {message}',
  'portal.helper': '{technician} from {company} will help you.',
  'portal.keyExpiresIn': 'This key expires in {time}.',
  'portal.keyExpired': 'This key has expired. Ask your technician for a new one.',
  'portal.stepsTitle': 'How to join',
  'portal.step.install':
    'Install the Reach agent (the “reach” program) on this computer. It runs on Linux with an X11 desktop; your technician can tell you where to get it.',
  'portal.step.run': 'Open a terminal on this computer’s desktop and run this command:',
  'portal.step.keep':
    'Leave it running. Your computer then appears on your technician’s screen, and they start the session. It stops by itself when the session ends; Ctrl+C stops it sooner.',
  'portal.command': 'Command to run',
  'portal.copyCommand': 'Copy the command',
  'portal.fingerprint': 'Server fingerprint',
  'portal.fingerprintHint': 'The command uses it to make sure it talks to this server and no other.',
  'portal.ticketExpiresIn': 'This command is yours alone and works for {time}.',
  'portal.ticketExpired': 'This command no longer works: its one-time pass expired.',
  'portal.newCommand': 'Get a new command',
  'portal.signInTitle': 'Sign in to continue',
  'portal.signInBody': '{company} helps only its own members. Sign in with your {company} account to get the command.',
  'portal.signIn': 'Sign in with your company account',
  'portal.otherCompanyTitle': 'Not an account of {company}',
  'portal.otherCompanyBody': 'You are signed in as {email}, which is not a member of {company}. {company} helps only its own members.',
  'portal.signInOther': 'Sign in with another account',
  'login.subtitlePortal': 'Sign in with your company account to join the support session.',

  'invite.open': 'Invite with a session key',
  'invite.title': 'Invite an end user',
  'invite.creating': 'Creating a session key…',
  'invite.intro': 'Read this key to the end user, or send them the link. It works once.',
  'invite.key': 'Session key',
  'invite.copyKey': 'Copy the key',
  'invite.link': 'Portal link',
  'invite.copyLink': 'Copy the link',
  'invite.expiresIn': 'Expires in {time}',
  'invite.expired': 'This key has expired: the end user can no longer use it.',
  'invite.createNew': 'Create a new key',
  'invite.next':
    'The portal gives the end user a command to run on their computer. Once it runs, the computer appears in Devices, marked Attended: start the session from there.',
  'invite.failed': 'Could not create a session key: {reason}',
  'help.invite': 'Invite an end user with a session key',

  'devices.attended': 'Attended',
  'devices.attendedHint': 'Joined with a session key for one session. It leaves the list when the session ends.',
  'devices.endUser': 'End user: {email}',
  'devices.forTechnician': 'For {name}',
  'devices.forAnotherTechnician': 'For another technician',
  'devices.attendedOthersHint': 'Only the technician who invited the end user can start this session.',
  'devices.emptyBodyAttended': 'Invite an end user with a session key: their computer appears here once they run the command the portal gives them.',

  'sessions.col.endUser': 'End user',
  'sessions.anonymousEndUser': 'Anonymous end user',

  'company.tenantOnly': 'Help only members of the company',
  'company.tenantOnlyHint':
    'End users must sign in with an account of this company to join a session with a session key. Off: anyone with the key may join.',

  'audit.code.R3002I': 'Session key created',
  'audit.code.R3003I': 'Device joined with a session key',
  'audit.target.session_key': 'Session key',
  'audit.detail.technician_id': 'Technician ID',
  'audit.detail.end_user': 'End user',
  'audit.detail.tenant_only_before': 'Members-only help before',
  'audit.detail.tenant_only_after': 'Members-only help after',

  'error.session_key_invalid': 'The session key is unknown or has expired.',
  'error.join_ticket_required': 'This company helps only its members: sign in on the portal to get a command for your account.',
} satisfies Record<string, string>;
