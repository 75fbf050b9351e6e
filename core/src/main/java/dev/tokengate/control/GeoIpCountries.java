package dev.tokengate.control;

import com.maxmind.db.Reader;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The country of a client address, from a MaxMind-format database ({@code .mmdb}) the operator provides: GeoLite2 or
 * GeoIP2 Country ({@code country.iso_code}, else {@code registered_country.iso_code}), DB-IP's own
 * ({@code country.iso_code}) or the ip-location-db builds of DB-IP Lite ({@code country_code}). Read with MaxMind's
 * reader, into memory at start: no file stays open, and a replaced file is read again only when the gate restarts.
 */
public final class GeoIpCountries {

    private static final Pattern ISO_CODE = Pattern.compile("[A-Z]{2}");

    private final Reader reader;
    private final String description;

    private GeoIpCountries(Reader reader, String description) {
        this.reader = reader;
        this.description = description;
    }

    /**
     * Reads the database into memory.
     *
     * @param file the {@code .mmdb} file; not null
     * @return the database, holding no open file
     * @throws IllegalArgumentException when the file cannot be read or is not a MaxMind database, saying which
     */
    public static GeoIpCountries open(Path file) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException("cannot read the country database " + file
                    + ": not a readable file; give the path of a MaxMind-format .mmdb (GeoLite2-Country, DB-IP Lite)");
        }
        try {
            Reader reader = new Reader(file.toFile(), Reader.FileMode.MEMORY);
            var meta = reader.getMetadata();
            return new GeoIpCountries(reader, meta.databaseType() + " (" + file.getFileName() + ", built "
                    + meta.buildTime() + ")");
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot read the country database " + file + " as a MaxMind .mmdb: "
                    + e.getMessage(), e);
        }
    }

    /**
     * The country of an address.
     *
     * @param address a client address literal, e.g. {@code 203.0.113.9}
     * @return the ISO 3166 code of its country; empty when the database does not place it (private ranges) or the
     *         text is not an address literal
     */
    public Optional<String> country(String address) {
        Optional<InetAddress> a = Addresses.literal(address);
        if (a.isEmpty()) {
            return Optional.empty();
        }
        Object found;
        try {
            found = reader.get(a.get(), Map.class);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        if (!(found instanceof Map<?, ?> record)) {
            return Optional.empty();
        }
        return code(record.get("country")).or(() -> code(record.get("registered_country")))
                .or(() -> iso(record.get("country_code")));
    }

    private static Optional<String> code(Object place) {
        return place instanceof Map<?, ?> m ? iso(m.get("iso_code")) : Optional.empty();
    }

    private static Optional<String> iso(Object code) {
        if (code instanceof String s) {
            String c = s.toUpperCase(Locale.ROOT);
            return ISO_CODE.matcher(c).matches() ? Optional.of(c) : Optional.empty();
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return description;
    }
}
