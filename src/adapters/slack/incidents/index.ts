import type { App } from '@slack/bolt';
import type { AppDeps } from '../../../app/deps';
import { registerAddToTimeline } from './add-to-timeline.listener';
import { registerDeclareModal } from './declare-modal.listener';
import { registerIncidentButtons } from './incident-buttons.listener';

/** Incident listeners besides the slash subcommands (incident.subcommands.ts): buttons, form, shortcut, reaction. */
export function registerIncidentListeners(app: App, deps: AppDeps): void {
  registerIncidentButtons(app, deps);
  registerAddToTimeline(app, deps);
  registerDeclareModal(app, deps);
}
