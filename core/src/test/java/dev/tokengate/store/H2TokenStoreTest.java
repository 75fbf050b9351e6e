package dev.tokengate.store;

import java.util.UUID;
import javax.sql.DataSource;

/** The token store contract on H2 2.x, in memory: always runs. */
class H2TokenStoreTest extends TokenStoreContract {

    private final DataSource h2 = new DriverManagerDataSource(
            "jdbc:h2:mem:tokengate-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "");

    @Override
    DataSource database() {
        return h2;
    }

    @Override
    String table() {
        return "tokengate_token";
    }
}
