/** Spectrograms (`av.signal.*`). */
export * from './spectrogram';
export * from './mel';
