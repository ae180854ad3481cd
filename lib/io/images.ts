/**
 * PNG frames and masks (pngjs, synchronous API): the camera frames (`rgb/`) and binary masks
 * (`mask/`) of the collision data. Only PNG is supported; JPEG files are recognised (by name or by
 * their bytes) and refused with an error that says so, rather than misread.
 */
import * as fs from 'node:fs';
import { PNG } from 'pngjs';
import { InputError } from '../util/errors';
import { writeFileAtomic } from './files';

/** An 8-bit RGB image: `data` holds width × height × 3 bytes, row-major, channels interleaved. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** An 8-bit single-channel image (e.g. a mask): `data` holds width × height bytes, row-major. */
export interface GrayImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** File-name endings of images avlab recognises (only PNG can be read). */
export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg'] as const;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** True when a file name ends in .jpg / .jpeg (any case). */
export function isJpegName(file: string): boolean {
  return /\.jpe?g$/i.test(file);
}

/** The error for a JPEG file (avlab reads PNG only), naming the file and how to convert it. */
export function jpegError(file: string): InputError {
  return new InputError(
    file,
    'JPEG images are not supported (avlab reads PNG only); convert the frames to PNG, e.g. with ' +
      "`mogrify -format png *.jpg` or Python's PIL, keeping the numbered names",
  );
}

/** Decodes PNG bytes into 8-bit RGBA (pngjs expands palette, grey and 16-bit images). */
function decodeRgba(bytes: Uint8Array, file: string): { width: number; height: number; rgba: Uint8Array } {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) throw jpegError(file);
  if (bytes.length < 8 || PNG_SIGNATURE.some((b, i) => bytes[i] !== b)) {
    throw new InputError(file, 'not a PNG image (the file does not start with the PNG signature)');
  }
  let png: { width: number; height: number; data: Buffer };
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    throw new InputError(file, `cannot decode the PNG image: ${(e as Error).message}`);
  }
  return { width: png.width, height: png.height, rgba: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
}

function readBytes(file: string): Uint8Array {
  if (isJpegName(file)) throw jpegError(file);
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw new InputError(file, `cannot read file: ${(e as Error).message}`);
  }
}

/** Decodes PNG bytes as RGB (alpha is dropped, grey is replicated); `file` names the source in errors. */
export function decodePngRgb(bytes: Uint8Array, file: string): RgbImage {
  const { width, height, rgba } = decodeRgba(bytes, file);
  const data = new Uint8Array(width * height * 3);
  for (let p = 0, q = 0; p < width * height; p++, q += 4) {
    data[3 * p] = rgba[q];
    data[3 * p + 1] = rgba[q + 1];
    data[3 * p + 2] = rgba[q + 2];
  }
  return { width, height, data };
}

/**
 * Decodes PNG bytes as a binary mask: a pixel is foreground (255) when the mean of its R, G, B
 * values is at least `threshold` (default 128), else 0. Thresholding rather than trusting the
 * stored values makes masks saved as 0/1, 0/255, grey or RGB all read the same way.
 */
export function decodePngMask(bytes: Uint8Array, file: string, threshold = 128): GrayImage {
  const { width, height, rgba } = decodeRgba(bytes, file);
  const data = new Uint8Array(width * height);
  const limit = 3 * threshold;
  for (let p = 0, q = 0; p < width * height; p++, q += 4) {
    data[p] = rgba[q] + rgba[q + 1] + rgba[q + 2] >= limit ? 255 : 0;
  }
  return { width, height, data };
}

/** Reads a PNG file as RGB; see `decodePngRgb`. A `.jpg`/`.jpeg` name is refused with a clear error. */
export function readPngRgb(file: string): RgbImage {
  return decodePngRgb(readBytes(file), file);
}

/** Reads a PNG file as a binary mask; see `decodePngMask`. */
export function readPngMask(file: string, threshold = 128): GrayImage {
  return decodePngMask(readBytes(file), file, threshold);
}

function checkSize(width: number, height: number, length: number, channels: number, file: string): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new InputError(file, `invalid image size ${width} × ${height}`);
  }
  if (length !== width * height * channels) {
    throw new InputError(file, `a ${width} × ${height} image with ${channels} channel(s) needs ${width * height * channels} bytes, got ${length}`);
  }
}

function encode(width: number, height: number, data: Uint8Array, colorType: 0 | 2): Uint8Array {
  // pngjs's packer only reads width, height and data; with equal input and output colour types it
  // writes the bytes as they are.
  const meta = { width, height, data: Buffer.from(data.buffer, data.byteOffset, data.byteLength) } as unknown as PNG;
  return PNG.sync.write(meta, { colorType, inputColorType: colorType, inputHasAlpha: false, bitDepth: 8 });
}

/** Encodes an RGB image (width × height × 3 bytes) as an 8-bit RGB PNG. */
export function encodePngRgb(image: RgbImage, file = '<png>'): Uint8Array {
  checkSize(image.width, image.height, image.data.length, 3, file);
  return encode(image.width, image.height, image.data, 2);
}

/** Encodes a single-channel image (width × height bytes, e.g. a 0/255 mask) as an 8-bit grey PNG. */
export function encodePngGray(image: GrayImage, file = '<png>'): Uint8Array {
  checkSize(image.width, image.height, image.data.length, 1, file);
  return encode(image.width, image.height, image.data, 0);
}

/** Writes an RGB PNG atomically. The name must end in `.png`. */
export function writePngRgb(file: string, image: RgbImage): void {
  if (!/\.png$/i.test(file)) throw new InputError(file, 'only PNG files can be written (use a .png name)');
  writeFileAtomic(file, encodePngRgb(image, file));
}

/** Writes a single-channel (grey) PNG atomically, e.g. a 0/255 mask. The name must end in `.png`. */
export function writePngGray(file: string, image: GrayImage): void {
  if (!/\.png$/i.test(file)) throw new InputError(file, 'only PNG files can be written (use a .png name)');
  writeFileAtomic(file, encodePngGray(image, file));
}
