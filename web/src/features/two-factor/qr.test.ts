import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { modulesPath, qrModules } from './qr.ts';

describe('modulesPath', () => {
  it('draws one rectangle per horizontal run, shifted by the margin', () => {
    const modules = [
      [true, true, false, true],
      [false, false, false, false],
      [false, true, true, true],
    ];
    assert.equal(modulesPath(modules, 4), 'M4 4h2v1h-2zM7 4h1v1h-1zM5 6h3v1h-3z');
  });

  it('draws nothing for an all-light matrix', () => {
    assert.equal(modulesPath([[false, false]], 0), '');
  });
});

describe('qrModules', () => {
  const url = 'otpauth://totp/Reach:ada%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&digits=6&algorithm=SHA1&issuer=Reach&period=30';
  const modules = qrModules(url);

  it('is a square of a QR version size (17 + 4 × version)', () => {
    const size = modules.length;
    assert.ok(size >= 21 && (size - 17) % 4 === 0, `size ${size}`);
    for (const row of modules) assert.equal(row.length, size);
  });

  it('has the three finder patterns in its corners', () => {
    const size = modules.length;
    // A finder's outer ring is dark, the ring inside it light, its 3 × 3 core dark.
    for (const [top, left] of [
      [0, 0],
      [0, size - 7],
      [size - 7, 0],
    ] as const) {
      for (let i = 0; i < 7; i += 1) {
        assert.equal(modules[top]?.[left + i], true);
        assert.equal(modules[top + 6]?.[left + i], true);
        assert.equal(modules[top + i]?.[left], true);
        assert.equal(modules[top + i]?.[left + 6], true);
      }
      assert.equal(modules[top + 1]?.[left + 1], false);
      assert.equal(modules[top + 3]?.[left + 3], true);
    }
  });

  it('depends on the text', () => {
    assert.notDeepEqual(qrModules(url.replace('JBSW', 'KBSW')), modules);
  });
});
