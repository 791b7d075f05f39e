package org.mpage.nio;

import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;

/**
 * Owners as an image stores them: numbers. An image has no user database of its own and the host's
 * may not be the one it was written under, so names are the decimal ids ({@code "1000"}).
 */
final class Principals {
  private Principals() {}

  record User(long id) implements UserPrincipal {
    @Override
    public String getName() {
      return Long.toString(id);
    }

    @Override
    public String toString() {
      return getName();
    }
  }

  record Group(long id) implements GroupPrincipal {
    @Override
    public String getName() {
      return Long.toString(id);
    }

    @Override
    public String toString() {
      return getName();
    }
  }

  static final UserPrincipalLookupService LOOKUP =
      new UserPrincipalLookupService() {
        @Override
        public UserPrincipal lookupPrincipalByName(String name)
            throws UserPrincipalNotFoundException {
          return new User(parse(name));
        }

        @Override
        public GroupPrincipal lookupPrincipalByGroupName(String group)
            throws UserPrincipalNotFoundException {
          return new Group(parse(group));
        }
      };

  private static long parse(String name) throws UserPrincipalNotFoundException {
    try {
      long id = Long.parseLong(name);
      if (id < 0 || id > 0xffff_ffffL) {
        throw new UserPrincipalNotFoundException(name);
      }
      return id;
    } catch (NumberFormatException e) {
      throw new UserPrincipalNotFoundException(name);
    }
  }

  /** The numeric id of a principal given by a caller: ours, or any whose name is a number. */
  static long id(java.security.Principal p) throws UserPrincipalNotFoundException {
    if (p instanceof User u) {
      return u.id();
    }
    if (p instanceof Group g) {
      return g.id();
    }
    return parse(p.getName());
  }
}
