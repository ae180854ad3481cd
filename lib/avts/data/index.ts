/** AVTS data: clips (collision world or user clips), their features, and the pair sampler. */
export * from './clips';
export * from './pairs';
