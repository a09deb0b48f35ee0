// Who is calling and what their role allows. Every surface (REST, MCP over HTTP and stdio) checks roles here,
// so a role means the same thing wherever a request comes in.
import { TwisterError } from './errors.ts';

export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** An API key's name and role, or a fixed identity such as `local` or `stdio`. */
export interface Caller {
  name: string;
  role: Role;
}

export function hasRole(caller: Caller, role: Role): boolean {
  return ROLES.indexOf(caller.role) >= ROLES.indexOf(role);
}

export function assertRole(caller: Caller, role: Role, what: string): void {
  if (!hasRole(caller, role)) {
    throw new TwisterError('FORBIDDEN', `${what} needs the ${role} role; key ${caller.name} is ${caller.role}`);
  }
}
