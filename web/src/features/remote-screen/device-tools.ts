// The rules of the clipboard and input-block tools, apart from the DOM: their
// keyboard shortcuts, the clipboard size check (the same rule as the server's,
// crates/proto/src/clipboard.rs), and how the server's messages change what the
// console shows. The components (ClipboardTool.tsx, BlockInputTool.tsx) only
// render this.

import { MAX_CLIPBOARD_JSON, type ClipboardEvent, type ErrorCode, type InputBlockState, type ServerToConsole } from '../../gen/proto.ts';

export const CLIPBOARD_SHORTCUT = 'Control+Alt+Shift+V';
export const BLOCK_SHORTCUT = 'Control+Alt+Shift+B';

export type ToolShortcut = 'clipboard' | 'block';

/** Which tool a key press asks for (by physical key, so any layout works), if any. */
export function toolShortcut(event: Pick<KeyboardEvent, 'ctrlKey' | 'altKey' | 'shiftKey' | 'metaKey' | 'code'>): ToolShortcut | null {
  if (!event.ctrlKey || !event.altKey || !event.shiftKey || event.metaKey) return null;
  if (event.code === 'KeyV') return 'clipboard';
  if (event.code === 'KeyB') return 'block';
  return null;
}

/** Bytes `text` takes written as a JSON string, the measure the limit applies to. */
export function clipboardJsonLength(text: string): number {
  return new TextEncoder().encode(JSON.stringify(text)).length;
}

export function clipboardFits(text: string): boolean {
  return clipboardJsonLength(text) <= MAX_CLIPBOARD_JSON;
}

/** Kibibytes, rounded up, for messages. */
export function kib(bytes: number): number {
  return Math.ceil(bytes / 1024);
}

/** What the console knows about sending the technician's clipboard. */
export type SendStatus =
  | { kind: 'idle' }
  | { kind: 'sending'; characters: number }
  | { kind: 'applied'; characters: number }
  | { kind: 'too_large'; bytes: number }
  | { kind: 'empty' }
  | { kind: 'unavailable' }
  | { kind: 'refused'; code: ErrorCode };

/** What was last copied on the device (never the technician's own text). */
export type DeviceCopy = Extract<ClipboardEvent, { kind: 'device_text' | 'device_too_large' | 'device_not_text' }>;

/** The end user's input as the console shows it: the agent's last word, and
 * whether the technician's request is on its way. */
export interface BlockView {
  state: InputBlockState | null;
  pending: boolean;
  refused: ErrorCode | null;
}

export interface DeviceToolsState {
  send: SendStatus;
  device: DeviceCopy | null;
  /** Counts device copies, so the notice opens again for the same text. */
  deviceSeq: number;
  block: BlockView;
  /** Which request a `refused` answers (the server answers in order). */
  lastRequest: ToolShortcut | null;
}

export const initialDeviceTools: DeviceToolsState = {
  send: { kind: 'idle' },
  device: null,
  deviceSeq: 0,
  block: { state: null, pending: false, refused: null },
  lastRequest: null,
};

/** The state after a server message; unchanged for messages of other tools. */
export function receive(state: DeviceToolsState, message: ServerToConsole): DeviceToolsState {
  switch (message.type) {
    // A fresh attachment is a fresh session on the device: nothing copied, nothing blocked.
    case 'ready':
      return initialDeviceTools;
    case 'ended':
      return { ...state, block: { state: null, pending: false, refused: null } };
    case 'clipboard': {
      const event = message.event;
      switch (event.kind) {
        case 'applied':
          return { ...state, send: state.send.kind === 'sending' ? { kind: 'applied', characters: state.send.characters } : state.send };
        case 'unavailable':
          return { ...state, send: { kind: 'unavailable' } };
        default:
          return { ...state, device: event, deviceSeq: state.deviceSeq + 1 };
      }
    }
    case 'input_block':
      return { ...state, block: { state: message.state, pending: false, refused: null } };
    case 'refused':
      if (state.lastRequest === 'block') return { ...state, block: { ...state.block, pending: false, refused: message.code } };
      return { ...state, send: { kind: 'refused', code: message.code } };
    default:
      return state;
  }
}

/** The state once the technician asked to send `text`, and whether to send it. */
export function requestSend(state: DeviceToolsState, text: string): { state: DeviceToolsState; send: boolean } {
  if (text === '') return { state: { ...state, send: { kind: 'empty' } }, send: false };
  if (!clipboardFits(text)) return { state: { ...state, send: { kind: 'too_large', bytes: clipboardJsonLength(text) } }, send: false };
  return { state: { ...state, send: { kind: 'sending', characters: [...text].length }, lastRequest: 'clipboard' }, send: true };
}

/** The state once the technician asked to block (or unblock). */
export function requestBlock(state: DeviceToolsState): { state: DeviceToolsState; blocked: boolean } {
  const blocked = state.block.state !== 'blocked';
  return { state: { ...state, block: { ...state.block, pending: true, refused: null }, lastRequest: 'block' }, blocked };
}
