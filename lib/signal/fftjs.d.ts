/**
 * Types for fft.js 4 (its bundled declarations type every argument as `any`): a radix-4 FFT of a
 * power-of-two size over interleaved complex arrays [re0, im0, re1, im1, …].
 */
declare module 'fft.js' {
  class FFT {
    /** Prepares tables for transforms of `size` points (a power of two ≥ 4). */
    constructor(size: number);
    readonly size: number;
    /** A zeroed interleaved complex array of `size` points. */
    createComplexArray(): number[];
    /** Interleaves a real input as complex values (imaginary parts 0). */
    toComplexArray(input: ArrayLike<number>, storage?: number[]): number[];
    /** The real parts of an interleaved complex array. */
    fromComplexArray(complex: ArrayLike<number>, storage?: number[]): number[];
    /** Fills the upper half of a spectrum from `realTransform` by conjugate symmetry. */
    completeSpectrum(spectrum: number[] | Float64Array): void;
    /** Forward transform of complex `data` into `out` (distinct arrays). */
    transform(out: number[] | Float64Array, data: ArrayLike<number>): void;
    /** Forward transform of real `data`; fills bins 0 … size/2 of `out`. */
    realTransform(out: number[] | Float64Array, data: ArrayLike<number>): void;
    /** Inverse transform (scaled by 1/size) of complex `data` into `out`. */
    inverseTransform(out: number[] | Float64Array, data: ArrayLike<number>): void;
  }
  export = FFT;
}
