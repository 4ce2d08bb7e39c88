import { type Connection, Schema } from 'mongoose';
import type { Incident } from '../domain/incident';

/** The incident read model: one document per ticket, `_id` = ticket number. */
export interface IncidentDocument extends Omit<Incident, 'number'> {
  _id: string;
  /** Numeric sequence, so listings sort correctly past INC9999999. */
  seq: number;
}

const timelineSchema = new Schema(
  { at: String, actor: String, kind: String, text: String, from: String, to: String },
  { _id: false },
);

const incidentSchema = new Schema<IncidentDocument>(
  {
    _id: String,
    seq: { type: Number, required: true },
    kind: String,
    title: String,
    description: String,
    impact: Number,
    urgency: Number,
    priority: String,
    state: String,
    assignmentGroup: String,
    assignee: String,
    openedBy: String,
    resolutionCode: String,
    resolutionNotes: String,
    createdAt: String,
    updatedAt: String,
    resolvedAt: String,
    closedAt: String,
    version: { type: Number, required: true },
    timeline: [timelineSchema],
  },
  { collection: 'incidents', versionKey: false, strict: 'throw' },
);
incidentSchema.index({ seq: -1 });
incidentSchema.index({ state: 1, seq: -1 });
incidentSchema.index({ assignmentGroup: 1, seq: -1 });
incidentSchema.index({ openedBy: 1, seq: -1 });

export function incidentModel(db: Connection) {
  return db.models.Incident ?? db.model<IncidentDocument>('Incident', incidentSchema);
}

export type IncidentModel = ReturnType<typeof incidentModel>;

export function toIncident({ _id, seq: _seq, ...rest }: IncidentDocument): Incident {
  return { number: _id, ...rest };
}
