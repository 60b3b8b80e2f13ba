/* Optional dependencies of feature areas (signals, digests, guidance, postmortems). Add one field per feature. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface FeatureDeps {}
