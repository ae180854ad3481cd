/** Losses (`av.losses.*`). */
export { crossEntropy } from './crossEntropy';
export * from './contrastive';
