import { CONTRACT, type RequestName } from '../../../shared/contract.js';
import type { CallRole } from '../../../shared/contract.js';

/** May a user of this role make the call (the contract says who may, per call)? */
export function may(role: CallRole, call: RequestName): boolean {
  return CONTRACT[call].role === 'viewer' || role === 'admin';
}

/** The tooltip of an action the role cannot take, in words. */
export function deniedReason(name: string, what: string): string {
  return `${what} needs an admin account; ${name ? `${name} is` : 'you are'} a viewer (read only). Ask an admin to do it or to change your role.`;
}
