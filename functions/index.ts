/** Every function of the service, by key (the key is the folder name and the deployed name suffix). */
import type { FunctionConfig } from '../lib/infra/functionSpec.ts';
import alert from './alert/config.ts';
import control from './control/config.ts';
import launcher from './launcher/config.ts';
import onEvent from './onEvent/config.ts';
import onMessage from './onMessage/config.ts';
import onRunFinished from './onRunFinished/config.ts';
import onSchedule from './onSchedule/config.ts';
import onTaskStateChange from './onTaskStateChange/config.ts';
import onUpload from './onUpload/config.ts';
import sweeper from './sweeper/config.ts';

export const functions = {
  onUpload,
  onSchedule,
  control,
  launcher,
  onTaskStateChange,
  sweeper,
  alert,
  onRunFinished,
  onEvent,
  onMessage,
} satisfies Record<string, FunctionConfig>;
