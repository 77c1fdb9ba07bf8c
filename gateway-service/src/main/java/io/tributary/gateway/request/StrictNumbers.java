package io.tributary.gateway.request;

import io.tributary.protocol.problem.TributaryException;
import org.springframework.context.annotation.Configuration;
import org.springframework.format.FormatterRegistry;
import org.springframework.web.reactive.config.WebFluxConfigurer;

/**
 * Numbers in URLs are plain decimal: {@code 0}, or digits not starting with {@code 0}.
 * Spring's default conversion also reads {@code 0x10} and {@code #10} as 16, and Java's
 * parsers take {@code +1} and {@code 00}; here every query parameter and path segment read
 * as a number goes through {@link #parse}.
 */
@Configuration(proxyBeanMethods = false)
public class StrictNumbers implements WebFluxConfigurer {
    @Override
    public void addFormatters(FormatterRegistry registry) {
        registry.addConverter(String.class, Long.class, s -> parse(s, Long.MAX_VALUE));
        registry.addConverter(String.class, Integer.class, s -> (int) parse(s, Integer.MAX_VALUE));
    }

    /** A non-negative decimal number up to {@code max}; IllegalArgumentException (a 400 naming the parameter) otherwise. */
    public static long parse(String s, long max) {
        String t = s == null ? "" : s;
        boolean plain = !t.isEmpty() && t.length() <= 19 && t.chars().allMatch(c -> c >= '0' && c <= '9')
                && (t.length() == 1 || t.charAt(0) != '0');
        if (plain) {
            long n = Long.parseLong(t);
            if (n <= max) {
                return n;
            }
        }
        throw new IllegalArgumentException("must be a whole number from 0 to " + max + " in plain decimal digits, not '" + s + "'");
    }

    /** The same rule for a number a controller reads itself (a partition in the path, a credit). */
    public static long require(String name, String s, long max) {
        try {
            return parse(s, max);
        } catch (IllegalArgumentException e) {
            throw TributaryException.invalidArgument("'" + name + "' " + e.getMessage());
        }
    }
}
