package dev.tokengate.it;

import dev.tokengate.it.app.javax.ProbeServlet;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Issue 14, item 6: {@code tokengate-servlet-filter-javax} (the jakarta filter renamed by the Eclipse Transformer)
 * in a standalone Apache Tomcat 9 (Servlet 4) unpacked from Maven Central, with a {@code web.xml} identical to the
 * Tomcat 11 one except for its namespace ({@code wars/tomcat9-javax}): the same {@link TomcatFilterContract
 * contract}, rule matrix and caller. Its logs stay in {@code target/it-work/tomcat9/base/logs}.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class Tomcat9JavaxIT extends TomcatFilterContract {

    @Override
    String homeProperty() {
        return "it.tomcat9.home";
    }

    @Override
    String workName() {
        return "tomcat9";
    }

    @Override
    Path gatedWar(Path file) {
        return War.builder().webXml(webXml("/wars/tomcat9-javax/WEB-INF/web.xml")).classes(ProbeServlet.class)
                .libs(libs("it.war.lib.javax.file", "tokengate-servlet-filter-javax")).writeTo(file);
    }
}
