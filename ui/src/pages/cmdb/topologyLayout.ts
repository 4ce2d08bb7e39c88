import type { Ci, CmdbModel } from '../../api';

/** Layers of the application-centric model, top to bottom: business systems first, the network last. */
const LAYERS = ['business_system', 'application', 'service', 'instance', 'host', 'network_device', 'network_interface'];

export function layerOf(model: CmdbModel, cls: string): number {
  const lineage = model.classes.find((c) => c.name === cls)?.lineage ?? [cls];
  const layer = LAYERS.findIndex((name) => lineage.includes(name));
  return layer < 0 ? LAYERS.length : layer;
}

/** Positions by layer: each layer a row, its CIs side by side in name order, centred. */
export function layeredPositions(model: CmdbModel, cis: Ci[]): Map<string, { x: number; y: number }> {
  const rows = new Map<number, Ci[]>();
  for (const ci of cis) {
    const layer = layerOf(model, ci.class);
    rows.set(layer, [...(rows.get(layer) ?? []), ci]);
  }
  const positions = new Map<string, { x: number; y: number }>();
  for (const [layer, row] of rows) {
    row.sort((a, b) => String(a.attributes.name ?? a.id).localeCompare(String(b.attributes.name ?? b.id)));
    row.forEach((ci, i) => positions.set(ci.id, { x: (i - (row.length - 1) / 2) * 170, y: layer * 110 }));
  }
  return positions;
}
