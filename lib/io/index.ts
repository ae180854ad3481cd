/** File formats: npy/npz, HDF5, pickle, PNG, the atomic writer (`av.io.*`). */
export { readNpy, writeNpy, parseNpy, encodeNpy } from './npy';
export type { NpyArray, NpyDtype } from './npy';
export { readNpz, writeNpz, parseNpz, encodeNpz } from './npz';
export { Hdf5Reader, withHdf5, listHdf5, readHdf5Dataset, writeHdf5 } from './hdf5';
export * from './pickle';
export * from './images';
export { writeFileAtomic } from './files';
