// The English text of the session view's clipboard and input-block tools.
// en.ts spreads it into the one English catalogue; fr-device-tools.ts mirrors it.

export const enDeviceTools = {
  'clipboard.tool': 'Clipboard',
  'clipboard.toolHint': 'Clipboard: send yours to the device, copy what the device copied (Ctrl+Alt+Shift+V sends yours)',
  'clipboard.title': 'Clipboard',
  'clipboard.deviceTitle': 'Copied on the device',
  'clipboard.deviceNone': 'Nothing was copied on the device since you connected.',
  'clipboard.deviceTooLarge': 'Something too large to send was copied on the device ({size} KiB; the limit is {limit} KiB).',
  'clipboard.deviceNotText': 'Something that is not text (an image or files) was copied on the device.',
  'clipboard.copy': 'Copy to my clipboard',
  'clipboard.mineTitle': 'Your clipboard',
  'clipboard.send': 'Send my clipboard',
  'clipboard.sending': 'Sending…',
  'clipboard.applied': 'The device’s clipboard now holds your text ({count} characters): paste it there with Ctrl+V or the middle mouse button.',
  'clipboard.readRefused': 'The browser did not let Reach read your clipboard. Paste the text here, then send it:',
  'clipboard.sendText': 'Send',
  'clipboard.empty': 'There is no text to send.',
  'clipboard.tooLarge': 'This text is too large to send: {size} KiB, the limit is {limit} KiB.',
  'clipboard.unavailable': 'The device cannot use its clipboard right now.',

  'block.block': 'Block the end user’s input',
  'block.unblock': 'Give the end user their input back',
  'block.blockHint': 'Block the end user’s keyboard and mouse; yours keep working (Ctrl+Alt+Shift+B)',
  'block.unblockHint': 'Give the end user their keyboard and mouse back (Ctrl+Alt+Shift+B)',
  'block.badge': 'End user blocked',
  'block.pending': 'Waiting for the device…',
  'block.blockedNotice': 'The end user’s keyboard and mouse are blocked; yours still work. They can take back control at any time by pressing Esc three times within 2 seconds: tell them so.',
  'block.takenBack': 'The end user took back control of their keyboard and mouse.',
  'block.unavailable': 'This device cannot block its user’s input (it needs X11 with XInput 2, and no other program holding a device).',

  'audit.code.R3004I': 'End user’s input blocked',
  'audit.value.technician': 'the technician',
  'audit.value.end_user': 'the end user, on the device',
  'audit.code.R3005I': 'End user’s input given back',
  'error.clipboard_too_large': 'The clipboard text is too large to send.',
};
