/** Reported in JSON and SARIF output; bump when rules or finding ids change meaning. */
export const SWEEP_TOOL_VERSION = '0.1.0';
