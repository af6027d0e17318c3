/**
 * An assignment table: key group → owning member (subtask id) of one operator.
 *
 * Invariants (checked on construction and on parsing): it is a total function —
 * every key group in [0, numberOfKeyGroups) has exactly one owner, and every
 * owner is one of `members`; `members` are distinct and sorted, so two tables
 * with the same content are equal field by field and serialize identically.
 * Tables are immutable.
 */
import { KeyGroupAssignmentError } from './errors.js';
import { checkMembers } from './hash-ring.js';
import { checkMaxParallelism } from './key-group.js';

/** JSON-friendly form, small enough to travel with every checkpoint. */
export interface SerializedAssignmentTable {
  readonly format: typeof FORMAT;
  readonly numberOfKeyGroups: number;
  /** Member ids, sorted. */
  readonly members: readonly string[];
  /** Bytes per owner index: 1 when members ≤ 256, 2 when ≤ 65536, else 4. */
  readonly ownerWidth: 1 | 2 | 4;
  /** Base64 of the owner index (into `members`) of each key group, little-endian. */
  readonly owners: string;
}

const FORMAT = 'rivulet.keygroups.v1';

export class AssignmentTable {
  readonly members: readonly string[];
  private readonly owners: Int32Array;
  private byMember: readonly (readonly number[])[] | undefined;

  /**
   * @param members member ids (any order; stored sorted)
   * @param ownerIds owner id of each key group, index = key group
   */
  static fromOwners(members: readonly string[], ownerIds: readonly string[]): AssignmentTable {
    const sorted = checkMembers(members);
    const index = new Map(sorted.map((id, i) => [id, i]));
    const owners = new Int32Array(ownerIds.length);
    ownerIds.forEach((id, g) => {
      owners[g] =
        index.get(id) ?? fail(`key group ${g} is owned by ${JSON.stringify(id)}, not a member`);
    });
    return new AssignmentTable(sorted, owners);
  }

  /**
   * @internal `members` distinct and sorted; `owners[g]` an index into them.
   * Use `fromOwners`, `assignKeyGroups` or `fromJSON` instead.
   */
  constructor(members: readonly string[], owners: Int32Array) {
    checkMaxParallelism(owners.length, 'numberOfKeyGroups');
    for (let g = 0; g < owners.length; g++) {
      const o = owners[g]!;
      if (!(o >= 0 && o < members.length))
        fail(`key group ${g} has owner index ${o} of ${members.length} members`);
    }
    this.members = Object.freeze([...members]);
    this.owners = owners;
  }

  get numberOfKeyGroups(): number {
    return this.owners.length;
  }

  /** Owner of `keyGroup`; throws RangeError outside [0, numberOfKeyGroups). */
  ownerOf(keyGroup: number): string {
    const o = this.owners[keyGroup];
    if (o === undefined || !Number.isInteger(keyGroup)) {
      throw new RangeError(`key group ${keyGroup} is outside [0, ${this.owners.length})`);
    }
    return this.members[o]!;
  }

  /** Owner id of every key group, index = key group (a routing array for producers). */
  ownerIds(): string[] {
    return Array.from(this.owners, (o) => this.members[o]!);
  }

  /** Key groups owned by `memberId`, ascending; empty for a non-member. */
  keyGroupsOf(memberId: string): readonly number[] {
    const i = this.members.indexOf(memberId);
    return i < 0 ? [] : this.groupsByIndex()[i]!;
  }

  /** Every member with its key groups (ascending), in member order. */
  keyGroupsByMember(): ReadonlyMap<string, readonly number[]> {
    const groups = this.groupsByIndex();
    return new Map(this.members.map((id, i) => [id, groups[i]!]));
  }

  /** Number of key groups per member, in member order. */
  counts(): number[] {
    return this.groupsByIndex().map((g) => g.length);
  }

  equals(other: AssignmentTable): boolean {
    if (other.owners.length !== this.owners.length || other.members.length !== this.members.length)
      return false;
    for (let i = 0; i < this.members.length; i++)
      if (this.members[i] !== other.members[i]) return false;
    for (let g = 0; g < this.owners.length; g++)
      if (this.owners[g] !== other.owners[g]) return false;
    return true;
  }

  toJSON(): SerializedAssignmentTable {
    const n = this.members.length;
    const ownerWidth = n <= 0x100 ? 1 : n <= 0x10000 ? 2 : 4;
    const bytes = Buffer.alloc(this.owners.length * ownerWidth);
    this.owners.forEach((o, g) => bytes.writeUIntLE(o, g * ownerWidth, ownerWidth));
    return {
      format: FORMAT,
      numberOfKeyGroups: this.owners.length,
      members: [...this.members],
      ownerWidth,
      owners: bytes.toString('base64'),
    };
  }

  /** Parses `toJSON()` output (possibly after JSON.parse); throws KeyGroupAssignmentError. */
  static fromJSON(value: unknown): AssignmentTable {
    const v = (typeof value === 'object' && value !== null ? value : {}) as Partial<
      Record<keyof SerializedAssignmentTable, unknown>
    >;
    if (v.format !== FORMAT)
      fail(`not a serialized assignment table (format ${JSON.stringify(v.format)})`);
    const { numberOfKeyGroups: m, members, ownerWidth: w, owners } = v;
    if (!Array.isArray(members) || typeof owners !== 'string' || (w !== 1 && w !== 2 && w !== 4)) {
      fail('serialized assignment table needs members[], ownerWidth 1|2|4 and owners (base64)');
    }
    const sorted = checkMembers(members as string[]);
    if (sorted.some((id, i) => id !== members[i])) fail('serialized members must be sorted');
    const bytes = Buffer.from(owners, 'base64');
    if (typeof m !== 'number' || bytes.length !== m * w) {
      fail(`owners hold ${bytes.length} bytes, expected numberOfKeyGroups ${String(m)} × ${w}`);
    }
    const decoded = new Int32Array(m);
    for (let g = 0; g < m; g++) decoded[g] = bytes.readUIntLE(g * w, w);
    return new AssignmentTable(sorted, decoded);
  }

  private groupsByIndex(): readonly (readonly number[])[] {
    if (this.byMember === undefined) {
      const groups: number[][] = this.members.map(() => []);
      this.owners.forEach((o, g) => groups[o]!.push(g));
      this.byMember = groups;
    }
    return this.byMember;
  }
}

function fail(message: string): never {
  throw new KeyGroupAssignmentError(message);
}
