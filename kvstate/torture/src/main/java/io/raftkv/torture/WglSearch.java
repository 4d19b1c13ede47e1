package io.raftkv.torture;

import java.util.List;

/**
 * The Wing-Gong linearizability search with Lowe's improvements (G. Lowe, "Testing for
 * linearizability", 2017), as Porcupine implements it: the history is a {@link EntryList} of call and
 * return entries in time order; the candidates to linearize next are the calls before the first return;
 * the search linearizes one whose step is possible (unlinking its call and return), and backtracks when
 * none is left. A {@link ConfigurationCache} of (linearized set, state) keeps it from exploring any
 * configuration twice, and a {@link CandidatePolicy} prunes and orders the candidates.
 *
 * <p>Optional operations (unknown outcome) return at +infinity, so they never block; the search
 * succeeds as soon as every required operation is linearized, which leaves the others out.
 */
final class WglSearch {
  private static final int CLOCK_CHECK_INTERVAL = 1024;

  private final List<RegisterOp> ops;
  private final EntryList entries;
  private final CandidatePolicy policy;
  private final SearchBudget budget;
  private final long deadline;
  private final LinearizedSet linearized;
  private final ConfigurationCache cache = new ConfigurationCache();
  private final SearchLevel[] levels;

  private int state = RegisterOp.ABSENT;
  private int requiredLeft;
  private long steps;

  private WglSearch(List<RegisterOp> ops, SearchBudget budget) {
    this.ops = ops;
    this.entries = new EntryList(ops);
    this.policy = new CandidatePolicy(ops, entries);
    this.budget = budget;
    this.deadline = System.nanoTime() + budget.maxTime().toNanos();
    this.linearized = new LinearizedSet(ops);
    this.levels = new SearchLevel[ops.size() + 1];
    this.requiredLeft = (int) ops.stream().filter(RegisterOp::required).count();
  }

  /** Searches {@code ops} (of one key, in invocation order) for a linearization from the absent state. */
  static SearchResult run(List<RegisterOp> ops, SearchBudget budget) {
    return new WglSearch(ops, budget).search();
  }

  private SearchResult search() {
    int depth = 0;
    int from = 0;
    if (requiredLeft > 0) {
      policy.choose(level(0), state, false);
    }
    while (requiredLeft > 0) {
      SearchLevel level = levels[depth];
      boolean entered = false;
      for (int i = from; i < level.choiceCount && !entered; i++) {
        if (++steps > budget.maxSteps()
            || (steps % CLOCK_CHECK_INTERVAL == 0 && System.nanoTime() - deadline > 0)) {
          return result(Verdict.UNKNOWN);
        }
        if (tryEnter(level, level.choices[i])) {
          level.chosen = i;
          entered = true;
        }
      }
      if (entered) {
        depth++;
        from = 0;
        if (requiredLeft > 0) {
          policy.choose(level(depth), state, !ops.get(level.choices[level.chosen]).required());
        }
        continue;
      }
      if (depth == 0) {
        return result(Verdict.NOT_LINEARIZABLE);
      }
      depth--;
      leave(levels[depth]);
      from = levels[depth].chosen + 1;
    }
    return result(Verdict.LINEARIZABLE);
  }

  private SearchResult result(Verdict verdict) {
    return new SearchResult(verdict, steps, policy.furthestBlock());
  }

  private SearchLevel level(int depth) {
    if (levels[depth] == null) {
      levels[depth] = new SearchLevel();
    }
    return levels[depth];
  }

  /**
   * Linearizes {@code op} next (after the level's companions, if it takes them), if its step is possible
   * and leads to a configuration neither seen before nor {@link #subsumedByFailure subsumed}.
   */
  private boolean tryEnter(SearchLevel level, int op) {
    RegisterOp register = ops.get(op);
    int after = register.step(state);
    if (after == RegisterOp.IMPOSSIBLE) {
      return false;
    }
    level.groupFor(op, policy.takesCompanions(register));
    for (int i = 0; i < level.groupSize; i++) {
      linearized.add(level.group[i]);
    }
    ConfigurationCache.Configuration configuration =
        subsumedByFailure(after) ? null : cache.enter(linearized.words(), after);
    if (configuration == null) {
      for (int i = 0; i < level.groupSize; i++) {
        linearized.remove(level.group[i]);
      }
      return false;
    }
    level.entered = configuration;
    level.stateBefore = state;
    state = after;
    for (int i = 0; i < level.groupSize; i++) {
      RegisterOp lifted = ops.get(level.group[i]);
      entries.lift(level.group[i]);
      policy.lifted(lifted);
      if (lifted.required()) {
        requiredLeft--;
      }
    }
    return true;
  }

  /** Undoes the {@link #tryEnter} made at {@code level}, which led nowhere. */
  private void leave(SearchLevel level) {
    level.entered.leave();
    for (int i = level.groupSize - 1; i >= 0; i--) {
      RegisterOp lifted = ops.get(level.group[i]);
      entries.unlift(level.group[i]);
      policy.unlifted(lifted);
      if (lifted.required()) {
        requiredLeft++;
      }
      linearized.remove(level.group[i]);
    }
    state = level.stateBefore;
  }

  /**
   * Whether the configuration with the current linearized set and {@code state}, but none of the optional
   * operations linearized, is known to fail. Then this one fails too: any way on from here is a way on
   * from there, where the optional operations simply never happen. Optional operations complete last, so
   * the search tries them last and usually meets that configuration first.
   */
  private boolean subsumedByFailure(int state) {
    long[] withoutOptional = linearized.withoutOptional();
    return withoutOptional != null && cache.failed(withoutOptional, state);
  }
}
