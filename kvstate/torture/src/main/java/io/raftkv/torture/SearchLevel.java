package io.raftkv.torture;

import java.util.Arrays;

/**
 * One level of the depth-first search: the candidates it may linearize at a configuration, in the order
 * to try them; which one it is trying; and, once it has stepped deeper, what it linearized and the state
 * to go back to. Arrays are reused as the search goes up and down.
 */
final class SearchLevel {
  int[] choices = new int[8];
  int choiceCount;
  /** Index in {@link #choices} of the candidate linearized on going deeper. */
  int chosen;
  /** Unobserved writes that are candidates here: they go along with any blind write chosen. */
  int[] companions = new int[8];
  int companionCount;
  /** The operations linearized on going deeper, in the order they were, and the state before them. */
  int[] group = new int[8];
  int groupSize;
  int stateBefore;
  ConfigurationCache.Configuration entered;

  void addChoice(int op) {
    if (choiceCount == choices.length) {
      choices = Arrays.copyOf(choices, 2 * choiceCount);
    }
    choices[choiceCount++] = op;
  }

  void addCompanion(int op) {
    if (companionCount == companions.length) {
      companions = Arrays.copyOf(companions, 2 * companionCount);
    }
    companions[companionCount++] = op;
  }

  /** Sets the group to {@code op}, preceded by the companions if {@code withCompanions}. */
  void groupFor(int op, boolean withCompanions) {
    groupSize = 0;
    if (withCompanions) {
      for (int i = 0; i < companionCount; i++) {
        if (companions[i] != op) {
          addToGroup(companions[i]);
        }
      }
    }
    addToGroup(op);
  }

  private void addToGroup(int op) {
    if (groupSize == group.length) {
      group = Arrays.copyOf(group, 2 * groupSize);
    }
    group[groupSize++] = op;
  }
}
