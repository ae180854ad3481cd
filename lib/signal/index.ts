/** Spectrograms (`av.signal.*`). */
export * from './spectrogram';
