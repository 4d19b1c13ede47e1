package io.raftkv.torture;

import java.util.Arrays;
import java.util.List;

/**
 * Decides, at each configuration of the search, which operations to try linearizing next and in which
 * order. The candidates are the calls before the first return in the {@link EntryList} (the "urgent"
 * operation's); each rule below keeps a linearization if there is one.
 *
 * <ul>
 *   <li>A possible read-only step (a get, an unmatched compare-and-set) goes alone: in any linearization
 *       of the rest it can be moved to the front (nothing must precede a candidate, and it changes no
 *       state).
 *   <li>An {@link UnobservedWrites unobserved} blind write is not a choice of its own: it goes along with
 *       whichever blind write is chosen, just before it (any linearization can be rearranged so, since
 *       nothing can tell it happened), or alone once it is urgent. Otherwise every subset of overwritten
 *       concurrent writes would be a configuration of its own.
 *   <li>An optional write is anonymous when no operation left names its value (reads it or expects it in
 *       a compare): its value then matters only by being present or absent and unlike every named value.
 *       It is a choice only if it makes possible a candidate that is impossible now (else it may as well
 *       never happen), and one anonymous write of each kind (present, absent) is enough.
 *   <li>Of candidate blind writes of the same value (deletes, say) only the one completing first is a
 *       choice: linearizing another instead leaves a less urgent twin behind, which can do whatever the
 *       more urgent one could have done later.
 *   <li>If the urgent operation is impossible now and no candidate writes a value it is possible in, the
 *       configuration is dead: only the current candidates can precede it.
 *   <li>An optional operation that would change nothing, and a blind write right after an optional
 *       operation (which it would wipe out), are not choices: leaving the optional operation out does as
 *       well.
 *   <li>The rest are tried most urgent first: the urgent operation, then the writes after which it
 *       would be possible, then the others by completion time, so that a long-running write is not
 *       linearized early on speculation.
 * </ul>
 */
final class CandidatePolicy {
  private final List<RegisterOp> ops;
  private final EntryList entries;
  private final boolean[] unobserved;
  private final int[] returnRank;
  /** Per value: how many operations not yet linearized name it. */
  private final int[] namedBy;
  private long[] sortKeys = new long[16];
  private int[] anonymous = new int[16];
  private long furthestBlock = Long.MIN_VALUE;
  /** Per value: in which call of {@link #choose} a blind write of it was last seen, and at which sort key. */
  private final int[] writeSeenIn;
  private final int[] writeSlot;
  private int chooseCalls;

  CandidatePolicy(List<RegisterOp> ops, EntryList entries) {
    this.ops = ops;
    this.entries = entries;
    this.unobserved = UnobservedWrites.find(ops);
    this.returnRank = returnRanks(ops);
    this.namedBy = new int[ops.stream().mapToInt(op -> Math.max(op.value(), op.expected())).max().orElse(0) + 1];
    ops.forEach(this::unlifted);
    this.writeSeenIn = new int[namedBy.length];
    this.writeSlot = new int[namedBy.length];
  }

  /** Tells the policy that {@code op} is now linearized. */
  void lifted(RegisterOp op) {
    int named = namedValue(op);
    if (named != RegisterOp.IMPOSSIBLE) {
      namedBy[named]--;
    }
  }

  /** Tells the policy that {@code op} is no longer linearized. */
  void unlifted(RegisterOp op) {
    int named = namedValue(op);
    if (named != RegisterOp.IMPOSSIBLE) {
      namedBy[named]++;
    }
  }

  /** The latest completion time of an urgent operation at any configuration chosen for so far. */
  long furthestBlock() {
    return furthestBlock;
  }

  /** Whether a chosen {@code op} takes the level's companions along. */
  boolean takesCompanions(RegisterOp op) {
    return op.kind() == RegisterOp.Kind.WRITE;
  }

  /**
   * Fills {@code level} with the choices at the current configuration, where the register holds
   * {@code state}, {@code afterOptional} if the operation linearized last is optional. Requires a required
   * operation to be left, so that a return ends the calls.
   */
  void choose(SearchLevel level, int state, boolean afterOptional) {
    level.choiceCount = 0;
    level.companionCount = 0;
    chooseCalls++;
    int count = 0;
    int anonymousFound = 0;
    int entry = entries.first();
    for (; entries.isCall(entry); entry = entries.after(entry)) {
      RegisterOp candidate = ops.get(entry);
      if (unobserved[entry]) {
        level.addCompanion(entry);
      } else if (!candidate.required() && candidate.writes() && namedBy[candidate.value()] == 0) {
        if (anonymousFound == anonymous.length) {
          anonymous = Arrays.copyOf(anonymous, 2 * anonymousFound);
        }
        anonymous[anonymousFound++] = entry;
      } else if (candidate.kind() == RegisterOp.Kind.WRITE) {
        count = addWrite(count, entry);
      } else {
        count = addSortKey(count, entry);
      }
    }
    int urgent = entries.operationOfReturn(entry);
    furthestBlock = Math.max(furthestBlock, entries.time(entry));
    if (unobserved[urgent]) {
      count = addSortKey(count, urgent);
    }
    for (int i = 0; i < count; i++) {
      RegisterOp candidate = ops.get((int) sortKeys[i]);
      if (!candidate.writes() && candidate.step(state) != RegisterOp.IMPOSSIBLE) {
        level.addChoice((int) sortKeys[i]);
        return;
      }
    }
    count = addHelpfulAnonymous(count, anonymousFound, state, level.companionCount > 0);
    RegisterOp urgentOp = ops.get(urgent);
    if (urgentOp.step(state) == RegisterOp.IMPOSSIBLE && !canBeEnabled(urgentOp, count)) {
      return;
    }
    for (int i = 0; i < count; i++) {
      int op = (int) sortKeys[i];
      int after = ops.get(op).step(state);
      long rank;
      if (op == urgent) {
        rank = 0;
      } else if (after != RegisterOp.IMPOSSIBLE && urgentOp.step(after) != RegisterOp.IMPOSSIBLE) {
        rank = 1;
      } else {
        rank = 2;
      }
      sortKeys[i] = ((rank * (ops.size() + 1) + returnRank[op]) << 32) | op;
    }
    Arrays.sort(sortKeys, 0, count);
    for (int i = 0; i < count; i++) {
      int op = (int) sortKeys[i];
      if (!pointless(ops.get(op), state, afterOptional, level.companionCount > 0)) {
        level.addChoice(op);
      }
    }
  }

  /**
   * Whether linearizing {@code op} now can be left out of every search: an optional operation that
   * changes nothing (a blind write does change something if companions go before it), or a blind write
   * right after an optional operation, which it wipes out. Either way the same configuration without the
   * optional operation does at least as well, and the search tries it.
   */
  private static boolean pointless(RegisterOp op, int state, boolean afterOptional, boolean companions) {
    boolean blindWrite = op.kind() == RegisterOp.Kind.WRITE;
    return (!op.required() && op.step(state) == state && !(blindWrite && companions))
        || (afterOptional && blindWrite);
  }

  /** Adds a blind write unless one of the same value completing no later is there (then keeps the earlier). */
  private int addWrite(int count, int op) {
    int value = ops.get(op).value();
    if (writeSeenIn[value] == chooseCalls) {
      int twin = (int) sortKeys[writeSlot[value]];
      if (returnRank[op] < returnRank[twin]) {
        sortKeys[writeSlot[value]] = op;
      }
      return count;
    }
    writeSeenIn[value] = chooseCalls;
    writeSlot[value] = count;
    return addSortKey(count, op);
  }

  private int addSortKey(int count, int op) {
    if (count == sortKeys.length) {
      sortKeys = Arrays.copyOf(sortKeys, 2 * count);
    }
    sortKeys[count] = op;
    return count + 1;
  }

  /**
   * Adds to the first {@code count} sort keys one anonymous optional write leaving the register absent
   * and one leaving it present, each only if it makes possible a candidate that is impossible now. With
   * companions, a blind write would follow them rather than the current state, so it may help anyway.
   */
  private int addHelpfulAnonymous(int count, int anonymousFound, int state, boolean companions) {
    int regular = count;
    boolean absentAdded = false;
    boolean presentAdded = false;
    for (int a = 0; a < anonymousFound && !(absentAdded && presentAdded); a++) {
      int after = ops.get(anonymous[a]).step(state);
      boolean absent = after == RegisterOp.ABSENT;
      if (after == RegisterOp.IMPOSSIBLE || (absent ? absentAdded : presentAdded)) {
        continue;
      }
      if (companions && ops.get(anonymous[a]).kind() == RegisterOp.Kind.WRITE) {
        count = addSortKey(count, anonymous[a]);
        absentAdded |= absent;
        presentAdded |= !absent;
        continue;
      }
      for (int i = 0; i < regular; i++) {
        RegisterOp candidate = ops.get((int) sortKeys[i]);
        if (candidate.step(state) == RegisterOp.IMPOSSIBLE && candidate.step(after) != RegisterOp.IMPOSSIBLE) {
          count = addSortKey(count, anonymous[a]);
          absentAdded |= absent;
          presentAdded |= !absent;
          break;
        }
      }
    }
    return count;
  }

  /** Whether some of the first {@code count} candidates writes a value the urgent operation is possible in. */
  private boolean canBeEnabled(RegisterOp urgentOp, int count) {
    for (int i = 0; i < count; i++) {
      RegisterOp candidate = ops.get((int) sortKeys[i]);
      if (candidate.writes() && urgentOp.step(candidate.value()) != RegisterOp.IMPOSSIBLE) {
        return true;
      }
    }
    return false;
  }

  /** The value an operation tests the register for equality with, or IMPOSSIBLE if none. */
  private static int namedValue(RegisterOp op) {
    switch (op.kind()) {
      case READ:
        return op.value();
      case CAS:
      case CAS_UNMATCHED:
        return op.expected();
      default:
        return RegisterOp.IMPOSSIBLE;
    }
  }

  /** Each operation's position in completion order (optional ones, completing at infinity, last). */
  private static int[] returnRanks(List<RegisterOp> ops) {
    Integer[] byReturn = new Integer[ops.size()];
    for (int i = 0; i < byReturn.length; i++) {
      byReturn[i] = i;
    }
    Arrays.sort(byReturn, (a, b) -> Long.compare(ops.get(a).returnNanos(), ops.get(b).returnNanos()));
    int[] rank = new int[byReturn.length];
    for (int i = 0; i < rank.length; i++) {
      rank[byReturn[i]] = i;
    }
    return rank;
  }
}
