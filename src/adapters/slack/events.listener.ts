import type { App } from '@slack/bolt';
import type { AppDeps } from '../../app/deps';
import { registerHomeTab } from './home/home.listener';

/** Events API listeners beyond the incidents' own: the App Home tab (home/home.listener.ts). */
export function registerEvents(app: App, deps: AppDeps) {
  // The :pushpin: reaction is an incident listener: incidents/add-to-timeline.listener.ts.
  registerHomeTab(app, deps);
}
