package dev.mlv.users;

import java.util.List;
import java.util.Optional;

/**
 * The users a server that authenticates its requests lets in (HTTP Basic, as MLflow's basic-auth app). Two backends:
 * the metadata database ({@code MetadataStore.users()}, for servers started with {@code --auth}: every replica sees
 * the same users, and each change is an event in the registry's audit chain by {@code actor}, in the same transaction),
 * and a users file ({@link UsersFile}, {@code --auth-file}; {@code actor} is not recorded there).
 *
 * <p>Changes to one user are atomic and concurrent changes lose nothing. Names are checked with
 * {@link User#checkName}; a user's password hash is stored as given and never returned by anything but {@link #get}
 * and {@link #list}. All implementations pass {@code UserStoreContractTest}.
 */
public interface UserStore {

    /** Every user, ordered by name. */
    List<User> list();

    /** The user of that name, if there is one. */
    Optional<User> get(String name);

    /** Adds a user; {@code RESOURCE_ALREADY_EXISTS} when the name is taken (and nothing changes). */
    void create(User user, String actor);

    /** Replaces a user's password hash, keeping whether they are an administrator; {@code RESOURCE_DOES_NOT_EXIST} when there is no such user. */
    void setPassword(String name, String passwordHash, String actor);

    /** Makes a user an administrator or not; {@code RESOURCE_DOES_NOT_EXIST} when there is no such user. */
    void setAdmin(String name, boolean admin, String actor);

    /**
     * Removes a user; false when there was none. In the database their permission grants go in the same transaction,
     * so that a user of that name added later starts without them.
     */
    boolean delete(String name, String actor);
}
