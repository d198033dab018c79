/**
 * Whether an inventory host is a cell of OpenClaw's own `openclaw fleet`, from its state dir
 * alone (`<owner state dir>/fleet/cells/<tenant>`, as `respond inventory import --openclaw-fleet`
 * writes it). Pure: plans use it as well as the worker.
 */
const CELL_DIR = /^(\/.*)\/fleet\/cells\/([a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?)\/?$/;

export interface FleetCellPath {
  tenant: string;
  /** The state dir of the fleet that owns the cell (the `openclaw fleet` commands run against it). */
  ownerStateDir: string;
}

export function fleetCellOfStateDir(stateDir: string | undefined): FleetCellPath | null {
  const m = stateDir ? CELL_DIR.exec(stateDir) : null;
  return m ? { tenant: m[2]!, ownerStateDir: m[1]! } : null;
}
