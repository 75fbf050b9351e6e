package dev.tokengate.jaxrs;

import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.eclipse.jetty.util.component.LifeCycle;
import org.jboss.resteasy.core.ResteasyDeploymentImpl;
import org.jboss.resteasy.plugins.server.servlet.HttpServlet30Dispatcher;
import org.jboss.resteasy.spi.ResteasyDeployment;

/** The feature's test suite on RESTEasy 7 (Jakarta REST 4.0) in Jetty 12.1 ee11. */
class ResteasyFeatureTest extends FeatureContractTest {

    /**
     * RESTEasy's dispatcher servlet serving the application: the deployment is started here with the application
     * instance and handed to the servlet as a context attribute (the RESTEasy tests run without Jersey).
     */
    static final JaxrsRuntime RESTEASY = (context, application) -> {
        ResteasyDeployment deployment = new ResteasyDeploymentImpl();
        deployment.setApplication(application);
        deployment.start();
        context.setAttribute(ResteasyDeployment.class.getName(), deployment);
        context.addEventListener(new LifeCycle.Listener() {
            @Override
            public void lifeCycleStopped(LifeCycle event) {
                deployment.stop();
            }
        });
        context.addServlet(new ServletHolder(new HttpServlet30Dispatcher()), "/*");
    };

    @Override
    JaxrsRuntime runtime() {
        return RESTEASY;
    }
}
