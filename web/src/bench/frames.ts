// The body of the screen decode benchmark's GET /frames/{id} (written by
// bins/reach/src/bench/browser.rs): per corpus frame, a u32 message count, then
// per message a u32 length and the message (big-endian). Pure, so it is unit tested.

/** Splits the /frames body into frames, each a list of whole link messages. */
export function splitFrames(body: ArrayBuffer): ArrayBuffer[][] {
  const view = new DataView(body);
  const frames: ArrayBuffer[][] = [];
  let offset = 0;
  while (offset < body.byteLength) {
    if (offset + 4 > body.byteLength) throw new Error('a frame count runs past the end');
    const count = view.getUint32(offset);
    offset += 4;
    const messages: ArrayBuffer[] = [];
    for (let index = 0; index < count; index += 1) {
      if (offset + 4 > body.byteLength) throw new Error('a message length runs past the end');
      const length = view.getUint32(offset);
      offset += 4;
      if (offset + length > body.byteLength) throw new Error('a message runs past the end');
      messages.push(body.slice(offset, offset + length));
      offset += length;
    }
    frames.push(messages);
  }
  return frames;
}
