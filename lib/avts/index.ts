/**
 * Audio-visual temporal synchronisation (AVTS, Korbar, Tran & Torresani, NeurIPS 2018): clips and
 * their pairs (positives, easy / hard / super-hard negatives, the curriculum), the MC video and
 * spectrogram audio encoders, training through `fit`, sync evaluation, the downstream linear probe,
 * the experiment of notebook 07 and its figures.
 */
export * from './data';
export * from './models/encoders';
export * from './train';
export * from './downstream';
export * from './experiment';
export * from './figures';
