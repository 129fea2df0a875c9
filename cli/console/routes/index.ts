import type { ConsoleData } from '../data/port';
import { ACT_ROUTES } from './act';
import { READ_ROUTES } from './read';
import type { RouteTable } from './table';

export { type ApiAnswer, type RouteTable, routeApi } from './table';

/** Every route of the console's JSON API, both accesses: what the loopback server (payctl console) serves. */
export const CONSOLE_ROUTES: RouteTable<ConsoleData> = { ...READ_ROUTES, ...ACT_ROUTES };
