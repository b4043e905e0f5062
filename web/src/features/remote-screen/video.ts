// The video frames of a session link (bulk kind 2) and the codec the console
// asks the browser for. Pure functions, no DOM, so they run in the decoding
// worker and in unit tests. Layout (big-endian, after the 5-byte bulk header):
//   seq u32, flags u8 (a key frame: SCREEN_FLAG_KEY_START | SCREEN_FLAG_KEY_END, else 0),
//   width u16, height u16, H.264 Annex B data.

import { SCREEN_FLAG_KEY_END, SCREEN_FLAG_KEY_START } from '../../gen/proto.ts';
import { BatchError } from './batch.ts';

export const VIDEO_HEADER_LEN = 9;
export const VIDEO_KEY_FRAME = SCREEN_FLAG_KEY_START | SCREEN_FLAG_KEY_END;
/**
 * H.264 constrained baseline, level 5.1: what the agent's OpenH264 encoder
 * writes (up to 4K). The browser reads the real sizes from the stream.
 */
export const VIDEO_CODEC = 'avc1.42E033';

export interface VideoChunk {
  seq: number;
  width: number;
  height: number;
  key: boolean;
  data: Uint8Array<ArrayBuffer>;
}

/** Parses a video payload; throws a BatchError (with the seq once known) when it is malformed. */
export function parseVideoPayload(payload: Uint8Array<ArrayBuffer>): VideoChunk {
  if (payload.length < VIDEO_HEADER_LEN) throw new BatchError(`video frame of ${payload.length} bytes is shorter than its header`, null);
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const seq = view.getUint32(0);
  const flags = view.getUint8(4);
  const width = view.getUint16(5);
  const height = view.getUint16(7);
  if (flags !== 0 && flags !== VIDEO_KEY_FRAME) throw new BatchError(`video frame has unknown flags ${flags}`, seq);
  if (width === 0 || height === 0) throw new BatchError(`empty screen ${width}×${height}`, seq);
  if (payload.length === VIDEO_HEADER_LEN) throw new BatchError('video frame carries no picture', seq);
  return { seq, width, height, key: flags === VIDEO_KEY_FRAME, data: payload.subarray(VIDEO_HEADER_LEN) };
}

/** The decoder configuration for a screen of `width`×`height`. */
export function videoConfig(width: number, height: number): VideoDecoderConfig {
  return { codec: VIDEO_CODEC, codedWidth: width + (width % 2), codedHeight: height + (height % 2), optimizeForLatency: true };
}

/** Whether this browser can decode the agent's video (WebCodecs and H.264). */
export async function videoSupported(width = 1920, height = 1080): Promise<boolean> {
  if (typeof VideoDecoder === 'undefined') return false;
  try {
    return (await VideoDecoder.isConfigSupported(videoConfig(width, height))).supported === true;
  } catch {
    return false;
  }
}
