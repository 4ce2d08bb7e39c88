import type { ReactElement } from 'react';
import type { Ci } from '../../api';
import { Link } from '../../router';

/** Where a device sits: its lowest unit and height; devices without a unit are listed apart. */
function placement(ci: Ci): { bottom: number; height: number } | null {
  const bottom = Number(ci.attributes.rack_unit);
  if (!Number.isInteger(bottom) || bottom < 1) return null;
  const height = Number(ci.attributes.rack_units ?? 1);
  return { bottom, height: Number.isInteger(height) && height > 0 ? height : 1 };
}

/**
 * A rack drawn as its units, top unit first (as racks are numbered from the bottom), each
 * device spanning its units and linking to its CI. `compact` draws a data centre's row of racks.
 */
export function RackElevation({ rack, devices, compact = false }: { rack: Ci; devices: Ci[]; compact?: boolean }) {
  const units = Number(rack.attributes.units ?? 42) || 42;
  const placed = devices.flatMap((ci) => {
    const at = placement(ci);
    return at ? [{ ci, ...at }] : [];
  });
  const unplaced = devices.filter((ci) => !placement(ci));
  const rows: ReactElement[] = [];
  for (let unit = units; unit >= 1; ) {
    const device = placed.find((d) => d.bottom + d.height - 1 === unit);
    if (device) {
      rows.push(
        <li key={unit} className="rack-device" style={{ height: `calc(var(--unit) * ${device.height})` }} data-testid="rack-device" data-unit={device.bottom} data-height={device.height}>
          {!compact && <span className="rack-unit-number">{device.bottom}</span>}
          <Link to={`/cmdb/cis/${encodeURIComponent(device.ci.id)}`} title={`${String(device.ci.attributes.name ?? device.ci.id)} (U${device.bottom}${device.height > 1 ? `-${device.bottom + device.height - 1}` : ''})`}>
            {compact ? '' : String(device.ci.attributes.name ?? device.ci.id)}
          </Link>
        </li>,
      );
      unit -= device.height;
    } else {
      rows.push(
        <li key={unit} className="rack-empty" aria-hidden={compact || undefined}>
          {!compact && <span className="rack-unit-number">{unit}</span>}
        </li>,
      );
      unit -= 1;
    }
  }
  return (
    <figure className={`rack${compact ? ' rack-compact' : ''}`} aria-label={`Rack ${String(rack.attributes.name ?? rack.id)}, ${units} units`}>
      <ol className="rack-units">{rows}</ol>
      {!compact && unplaced.length > 0 && (
        <figcaption className="small muted">
          In the rack without a unit: {unplaced.map((ci) => String(ci.attributes.name ?? ci.id)).join(', ')}
        </figcaption>
      )}
    </figure>
  );
}
