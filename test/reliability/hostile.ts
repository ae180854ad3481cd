/** Hostile inputs for the reliability tests (issue #12): hand-assembled pickles and zips. */
import { crc32 } from '../../lib/io/npz';

/** Hand-assembled pickle bytes. */
export class Asm {
  private parts: number[][] = [];
  op(...b: number[]): this {
    this.parts.push(b);
    return this;
  }
  str(s: string): this {
    const b = Buffer.from(s, 'utf8');
    return this.op(0x8c, b.length, ...b); // SHORT_BINUNICODE
  }
  u32(n: number): number[] {
    return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
  }
  global(m: string, n: string): this {
    return this.str(m).str(n).op(0x93); // STACK_GLOBAL
  }
  bytes(): Uint8Array {
    let n = 0;
    for (const p of this.parts) n += p.length;
    const out = new Uint8Array(n);
    let o = 0;
    for (const p of this.parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}

/** A pickle holding one memoised buffer of `size` bytes and `count` float32 arrays built on it with _frombuffer. */
export function sharedBufferPickle(size: number, count: number): Uint8Array {
  const head = new Asm().op(0x80, 4).global('numpy.core.numeric', '_frombuffer').op(0x94, 0x30); // memo 0: the function, POP
  head.op(0x42, ...head.u32(size)); // BINBYTES <size>
  const headBytes = head.bytes();
  const tail = new Asm().op(0x94, 0x30); // MEMOIZE (memo 1: the buffer), POP
  tail.op(0x5d, 0x28); // EMPTY_LIST, MARK
  for (let i = 0; i < count; i++) {
    tail.op(0x68, 0, 0x28, 0x68, 1); // BINGET fn, MARK, BINGET buf
    tail.global('numpy', 'dtype').str('f4').op(0x89, 0x88, 0x87, 0x52); // dtype('f4', False, True)
    tail.op(0x4a, ...tail.u32(size / 4), 0x85).str('C').op(0x74, 0x52); // (n,), 'C', TUPLE, REDUCE
  }
  tail.op(0x65, 0x2e); // APPENDS, STOP
  const t = tail.bytes();
  const out = new Uint8Array(headBytes.length + size + t.length);
  out.set(headBytes, 0);
  out.set(t, headBytes.length + size);
  return out;
}

/** ~546 KB: a memoised list of `items` ints, then `copies` sets built from it with builtins.set (each copies the list). */
export function setBombPickle(items: number, copies: number): Uint8Array {
  const a = new Asm().op(0x80, 4).op(0x5d, 0x94, 0x28); // EMPTY_LIST, MEMOIZE (0), MARK
  for (let i = 0; i < items; i++) a.op(0x4d, i & 0xff, (i >> 8) & 0xff); // BININT2
  a.op(0x65, 0x30); // APPENDS, POP
  a.global('builtins', 'frozenset').op(0x94, 0x30); // memo 1, POP
  a.op(0x5d, 0x28); // EMPTY_LIST, MARK
  for (let i = 0; i < copies; i++) a.op(0x68, 1, 0x68, 0, 0x85, 0x52); // frozenset(memo[0])
  a.op(0x65, 0x2e);
  return a.bytes();
}

/** A zip whose central directory declares `usize` for DEFLATE data; `dup` central entries per member. */
export function zipOf(members: { name: string; data: Uint8Array; usize: number; crc: number }[], dup = 1): Uint8Array {
  const chunks: Buffer[] = [];
  const central: Buffer[] = [];
  let off = 0;
  for (const m of members) {
    const name = Buffer.from(m.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(m.crc || crc32(new Uint8Array(0)), 14);
    local.writeUInt32LE(m.data.length, 18);
    local.writeUInt32LE(m.usize, 22);
    local.writeUInt16LE(name.length, 26);
    for (let d = 0; d < dup; d++) {
      const cname = Buffer.from(d === 0 ? m.name : `${d}${m.name}`);
      const c = Buffer.alloc(46);
      c.writeUInt32LE(0x02014b50, 0);
      c.writeUInt16LE(20, 4);
      c.writeUInt16LE(20, 6);
      c.writeUInt16LE(8, 10);
      c.writeUInt32LE(m.crc, 16);
      c.writeUInt32LE(m.data.length, 20);
      c.writeUInt32LE(m.usize, 24);
      c.writeUInt16LE(cname.length, 28);
      c.writeUInt32LE(off, 42);
      central.push(c, cname);
    }
    chunks.push(local, name, Buffer.from(m.data));
    off += 30 + name.length + m.data.length;
  }
  const cd = Buffer.concat(central);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(members.length * dup, 8);
  eocd.writeUInt16LE(members.length * dup, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(off, 16);
  return new Uint8Array(Buffer.concat([...chunks, cd, eocd]));
}
