/**
 * avlab's public API, grouped the way lib/ is laid out. Notebooks import it through
 * notebooks/avlab.ts (`import * as av from './avlab'`):
 *
 *   av.setup, av.initBackend, av.Rng, ...   the notebook, the backend, seeds and errors
 *   av.scenes.*, av.collisions.*           one namespace per experiment family
 *   av.io.*, av.signal.*, av.nn.*, av.training.*, av.losses.*, av.metrics.*, av.stats.*,
 *   av.plots.*, av.report.*                the shared machinery
 */
export { initBackend, backendChoice, backendInfo } from './backend';
export type { BackendChoice, BackendInfo, BackendName, InitBackendOptions } from './backend';
export { denseProbe } from './training/probe';
export type { BackendProbe, ProbeResult } from './backend/probe';
export { workloadProbe, buildWorkload, WORKLOAD_SHAPES } from './bench/workloads';
export type { WorkloadName } from './bench/workloads';
export { profileName, sceneProfile } from './util/profile';
export type { Profile, SceneProfile } from './util/profile';
export { startNotebook, NotebookContext, projectRoot } from './notebook/context';
export type { NotebookOptions, NotebookDisplay, NotebookSection, DescribedData } from './notebook/context';
export { layerTable, traceShapes, formatShape } from './notebook/inspect';
export type { LayerRow, TraceRow, TraceOptions, BatchInput } from './notebook/inspect';
export { showSource, sourceOf, highlightTs } from './notebook/source';
export type { Declared, SourceSnippet, ShowSourceOptions } from './notebook/source';
export { executeNotebook, listNotebooks, notebookOutputs } from './notebook/execute';
export { installWasmFallbacks, WASM_FALLBACK_KERNELS } from './backend/wasmFallbacks';
export { Rng, deriveSeed } from './util/rng';
export { InputError, assertFinite } from './util/errors';

export * as scenes from './scenes';
export * as collisions from './collisions';
export * as worlds from './worlds';
export * as avts from './avts';
export * as mil from './mil';
export * as io from './io';
export * as signal from './signal';
export * as nn from './nn';
export * as training from './training';
export * as losses from './losses';
export * as metrics from './metrics';
export * as stats from './stats';
export * as plots from './plots';
export * as report from './report';
