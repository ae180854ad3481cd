/**
 * Simulated worlds that more than one experiment family samples from. Each world is a physical
 * scene (objects, sensors) with a seeded simulator and the ground truth real data lacks; families
 * turn its recordings into their own tasks.
 */
export * as collision from './collision';
