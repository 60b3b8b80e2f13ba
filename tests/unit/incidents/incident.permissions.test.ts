import { describe, expect, it } from 'vitest';
import {
  canAddFollowUp,
  canAddNote,
  canAdminister,
  canAssign,
  canChangeSeverity,
  canChangeStatus,
  canCompleteFollowUp,
  canDeclare,
  canDraftPostmortem,
  canEditRunbook,
  canPostUpdate,
  canView,
  hasRole,
  type Permission,
  requirePermission,
} from '../../../src/incidents/incident.permissions';
import { DomainError } from '../../../src/shared/domain-error';
import { ROLES, type Role } from '../../../src/shared/roles';

const who = (role: Role, id = `U_${role}`) => ({ id, role });
const noCommander = { roles: {} };
/** Which roles a capability lets through, most powerful first. */
const allowedRoles = (p: (w: { id: string; role: Role }) => Permission) => ROLES.filter((r) => p(who(r)).allowed);
const reasonOf = (p: Permission) => (p.allowed ? '' : p.reason);

describe('incident permissions: one function per capability', () => {
  it('responder+ capabilities: declare, assign, note, follow-ups, updates, postmortem drafts', () => {
    for (const cap of [
      canDeclare,
      canAssign,
      canAddNote,
      canAddFollowUp,
      canCompleteFollowUp,
      canPostUpdate,
      canDraftPostmortem,
    ]) {
      expect(allowedRoles(cap), cap.name).toEqual(['admin', 'sre_lead', 'responder']);
    }
    expect(reasonOf(canAddNote(who('viewer')))).toBe(
      'You need the responder role (or higher) to add notes; you are a viewer.',
    );
    expect(reasonOf(canDraftPostmortem(who('viewer')))).toMatch(/need the responder role .* you are a viewer/);
  });

  it('every member may view', () => {
    expect(allowedRoles(canView)).toEqual([...ROLES]);
  });

  it('status: a responder may move it, but only an SRE lead, an admin or the commander may cancel', () => {
    expect(allowedRoles((w) => canChangeStatus(w, noCommander, 'MITIGATED'))).toEqual([
      'admin',
      'sre_lead',
      'responder',
    ]);
    expect(allowedRoles((w) => canChangeStatus(w, noCommander, 'CANCELLED'))).toEqual(['admin', 'sre_lead']);
    const commanded = { roles: { commander: 'U_cmd' } };
    expect(canChangeStatus(who('responder', 'U_cmd'), commanded, 'CANCELLED').allowed).toBe(true);
    expect(canChangeStatus(who('responder', 'U_other'), commanded, 'CANCELLED')).toEqual({
      allowed: false,
      reason: 'Only an SRE lead, an admin or the incident commander can cancel an incident.',
    });
    // The commander role does not lift a viewer above responder rules for ordinary moves.
    expect(canChangeStatus(who('viewer', 'U_cmd'), commanded, 'RESOLVED').allowed).toBe(false);
  });

  it('severity: SRE lead+, or the commander whatever their role', () => {
    expect(allowedRoles((w) => canChangeSeverity(w, noCommander))).toEqual(['admin', 'sre_lead']);
    expect(canChangeSeverity(who('responder', 'U_cmd'), { roles: { commander: 'U_cmd' } }).allowed).toBe(true);
    expect(reasonOf(canChangeSeverity(who('responder'), noCommander))).toMatch(
      /Only an SRE lead, an admin or the incident commander can change the severity/,
    );
  });

  it('runbook edits are an SRE lead’s; admin tasks an admin’s, named in the refusal', () => {
    expect(allowedRoles(canEditRunbook)).toEqual(['admin', 'sre_lead']);
    expect(allowedRoles((w) => canAdminister(w, 'Managing connectors'))).toEqual(['admin']);
    expect(reasonOf(canAdminister(who('sre_lead'), 'Managing connectors'))).toBe(
      'Managing connectors needs the admin role; you are a sre lead.',
    );
    expect(reasonOf(hasRole(who('responder'), 'admin', '`digest`'))).toBe(
      '`digest` needs the admin role; you are a responder.',
    );
    expect(hasRole(who('sre_lead'), 'responder', 'x').allowed).toBe(true);
  });

  it('requirePermission throws the reason as a forbidden DomainError', () => {
    expect(() => requirePermission(canDeclare(who('responder')))).not.toThrow();
    try {
      requirePermission(canDeclare(who('viewer')));
      throw new Error('expected a refusal');
    } catch (e) {
      expect(e).toBeInstanceOf(DomainError);
      expect(e).toMatchObject({
        code: 'forbidden',
        reason: 'You need the responder role (or higher) to declare an incident; you are a viewer.',
      });
    }
  });
});
