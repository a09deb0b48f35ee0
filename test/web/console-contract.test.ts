// The console keeps its own copies of the ticket lists (its bundle must not pull in the server's modules):
// they must stay the server's.
import { describe, expect, it } from 'vitest';
import { CATEGORIES, PRIORITIES, SETTLED_STATUSES, TICKET_STATUSES } from '../../src/core/ticket.ts';
import * as web from '../../src/web/src/types.ts';

describe('console types', () => {
  it('list the same statuses, categories and priorities as the server', () => {
    expect(web.TICKET_STATUSES).toEqual(TICKET_STATUSES);
    expect(web.CATEGORIES).toEqual(CATEGORIES);
    expect(web.PRIORITIES).toEqual(PRIORITIES);
    expect([...web.SETTLED].sort()).toEqual([...SETTLED_STATUSES].sort());
  });
});
