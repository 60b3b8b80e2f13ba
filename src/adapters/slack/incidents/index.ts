import type { App } from '@slack/bolt';
import type { AppDeps } from '../../../app/deps';
import { registerAddToTimeline } from './add-to-timeline.listener';
import { registerDeclareModal } from './declare-modal.listener';
import { registerIncidentButtons } from './incident-buttons.listener';
import { registerTimelineEdit } from './timeline-edit.listener';
import { registerTimelineSync } from './timeline-sync.listener';

/** Incident listeners besides the slash subcommands (incident.subcommands.ts): buttons, form, shortcut, reaction. */
export function registerIncidentListeners(app: App, deps: AppDeps): void {
  registerIncidentButtons(app, deps);
  registerAddToTimeline(app, deps);
  registerDeclareModal(app, deps);
  registerTimelineSync(app, deps);
  registerTimelineEdit(app, deps);
}
