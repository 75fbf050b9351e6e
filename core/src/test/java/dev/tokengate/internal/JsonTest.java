package dev.tokengate.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The reader accepts exactly RFC 8259 JSON (the JSONTestSuite's {@code y_} cases, named as there) and refuses
 * everything else ({@code n_}, and the {@code i_} cases it decides to refuse), each for a reason the message names;
 * the writer writes what the reader reads back equal.
 *
 * <p>Inputs are written as Java strings that are encoded as UTF-8, except {@code \xNN}, which is the raw byte NN (to
 * write ill-formed UTF-8). A JSON escape is written with a doubled backslash: {@code "\\u0041"}.
 */
class JsonTest {

    /** Accepted: JSONTestSuite's y_ cases (and the i_ cases read as numbers). */
    static Stream<Arguments> accepted() {
        return Stream.of(
                arguments("y_array_arraysWithSpaces", "[[]   ]"),
                arguments("y_array_empty", "[]"),
                arguments("y_array_empty-string", "[\"\"]"),
                arguments("y_array_false", "[false]"),
                arguments("y_array_heterogeneous", "[null, 1, \"1\", {}]"),
                arguments("y_array_null", "[null]"),
                arguments("y_array_with_1_and_newline", "[1\n]"),
                arguments("y_array_with_leading_space", " [1]"),
                arguments("y_array_with_several_null", "[1,null,null,null,2]"),
                arguments("y_array_with_trailing_space", "[2] "),
                arguments("y_number", "[123e65]"),
                arguments("y_number_0e+1", "[0e+1]"),
                arguments("y_number_0e1", "[0e1]"),
                arguments("y_number_after_space", "[ 4]"),
                arguments("y_number_double_close_to_zero", "[-0.000000000000000000000000000000000000000000000000000"
                        + "000000000000000000000000001]"),
                arguments("y_number_int_with_exp", "[20e1]"),
                arguments("y_number_minus_zero", "[-0]"),
                arguments("y_number_negative_int", "[-123]"),
                arguments("y_number_negative_one", "[-1]"),
                arguments("y_number_real_capital_e", "[1E22]"),
                arguments("y_number_real_capital_e_neg_exp", "[1E-2]"),
                arguments("y_number_real_capital_e_pos_exp", "[1E+2]"),
                arguments("y_number_real_exponent", "[123e45]"),
                arguments("y_number_real_fraction_exponent", "[123.456e78]"),
                arguments("y_number_real_neg_exp", "[1e-2]"),
                arguments("y_number_real_pos_exponent", "[1e+2]"),
                arguments("y_number_simple_int", "[123]"),
                arguments("y_number_simple_real", "[123.456789]"),
                arguments("y_object", "{\"asd\":\"sdf\", \"dfg\":\"fgh\"}"),
                arguments("y_object_basic", "{\"asd\":\"sdf\"}"),
                arguments("y_object_empty", "{}"),
                arguments("y_object_empty_key", "{\"\":0}"),
                arguments("y_object_escaped_null_in_key", "{\"foo\\u0000bar\": 42}"),
                arguments("y_object_extreme_numbers", "{ \"min\": -1.0e+28, \"max\": 1.0e+28 }"),
                arguments("y_object_long_strings", "{\"x\":[{\"id\": \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}], "
                        + "\"id\": \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}"),
                arguments("y_object_simple", "{\"a\":[]}"),
                arguments("y_object_string_unicode", "{\"title\":\"\\u041f\\u043e\\u043b\\u0442\\u043e\\u0440\\u0430 "
                        + "\\u0417\\u0435\\u043c\\u043b\\u0435\\u043a\\u043e\\u043f\\u0430\" }"),
                arguments("y_object_with_newlines", "{\n\"a\": \"b\"\n}"),
                arguments("y_string_1_2_3_bytes_UTF-8_sequences", "[\"\\u0060\\u012a\\u12AB\"]"),
                arguments("y_string_accepted_surrogate_pair", "[\"\\uD801\\udc37\"]"),
                arguments("y_string_accepted_surrogate_pairs", "[\"\\ud83d\\ude39\\ud83d\\udc8d\"]"),
                arguments("y_string_allowed_escapes", "[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]"),
                arguments("y_string_backslash_and_u_escaped_zero", "[\"\\\\u0000\"]"),
                arguments("y_string_backslash_doublequotes", "[\"\\\"\"]"),
                arguments("y_string_comments", "[\"a/*b*/c/*d//e\"]"),
                arguments("y_string_double_escape_a", "[\"\\\\a\"]"),
                arguments("y_string_double_escape_n", "[\"\\\\n\"]"),
                arguments("y_string_escaped_control_character", "[\"\\u0012\"]"),
                arguments("y_string_escaped_noncharacter", "[\"\\uFFFF\"]"),
                arguments("y_string_in_array", "[\"asd\"]"),
                arguments("y_string_in_array_with_leading_space", "[ \"asd\"]"),
                arguments("y_string_last_surrogates_1_and_2", "[\"\\uDBFF\\uDFFF\"]"),
                arguments("y_string_nbsp_uescaped", "[\"new\\u00A0line\"]"),
                arguments("y_string_nonCharacterInUTF-8_U+10FFFF", "[\"\\xF4\\x8F\\xBF\\xBF\"]"),
                arguments("y_string_nonCharacterInUTF-8_U+FFFF", "[\"\\xEF\\xBF\\xBF\"]"),
                arguments("y_string_null_escape", "[\"\\u0000\"]"),
                arguments("y_string_one-byte-utf-8", "[\"\\u002c\"]"),
                arguments("y_string_pi", "[\"\u03c0\"]"),
                arguments("y_string_reservedCharacterInUTF-8_U+1BFFF", "[\"\\xF0\\x9B\\xBF\\xBF\"]"),
                arguments("y_string_simple_ascii", "[\"asd \"]"),
                arguments("y_string_space", "\" \""),
                arguments("y_string_surrogates_U+1D11E_MUSICAL_SYMBOL_G_CLEF", "[\"\\uD834\\uDd1e\"]"),
                arguments("y_string_three-byte-utf-8", "[\"\\u0821\"]"),
                arguments("y_string_two-byte-utf-8", "[\"\\u0123\"]"),
                arguments("y_string_u+2028_line_sep", "[\"\\xE2\\x80\\xA8\"]"),
                arguments("y_string_u+2029_par_sep", "[\"\\xE2\\x80\\xA9\"]"),
                arguments("y_string_uEscape", "[\"\\u0061\\u30af\\u30EA\\u30b9\"]"),
                arguments("y_string_unescaped_char_delete", "[\"\u007f\"]"),
                arguments("y_string_unicode_2", "[\"\u2342\u3234\u2342\"]"),
                arguments("y_string_unicodeEscapedBackslash", "[\"\\u005C\"]"),
                arguments("y_string_utf8", "[\"\u20ac\uD834\uDD1E\"]"),
                arguments("y_string_with_del_character", "[\"a\u007fa\"]"),
                arguments("y_structure_lonely_false", "false"),
                arguments("y_structure_lonely_int", "42"),
                arguments("y_structure_lonely_negative_real", "-0.1"),
                arguments("y_structure_lonely_null", "null"),
                arguments("y_structure_lonely_string", "\"asd\""),
                arguments("y_structure_lonely_true", "true"),
                arguments("y_structure_string_empty", "\"\""),
                arguments("y_structure_trailing_newline", "[\"a\"]\n"),
                arguments("y_structure_true_in_array", "[true]"),
                arguments("y_structure_whitespace_array", " [] "),
                arguments("i_number_double_huge_neg_exp", "[123.456e-789]"),
                arguments("i_number_huge_exp", "[0.4e006699999999999999999999999999999999999999999999999999]"),
                arguments("i_number_real_underflow", "[123e-10000000]"),
                arguments("i_number_too_big_neg_int", "[-123123123123123123123123123123]"),
                arguments("i_number_too_big_pos_int", "[100000000000000000000]"),
                arguments("i_number_very_big_negative_int", "[-2374623746732768942798327498324234]"),
                arguments("mixed: every kind, nested, with whitespace everywhere",
                        " \t\r\n{ \"a\" : [ 1 , -2.5e-3 , true , false , null , \"x\" , { } , [ ] ] , \"b\" : { \"c\" :"
                                + " \"\\u00e9\u00e9\" } } \n"));
    }

    /** Refused: JSONTestSuite's n_ cases, the i_ cases a strict reader refuses, and tokengate's own limits. */
    static Stream<Arguments> refused() {
        return Stream.of(
                // structure
                arguments("n_array_1_true_without_comma", "[1 true]", "expected ',' or ']'"),
                arguments("n_array_colon_instead_of_comma", "[\"\": 1]", "expected ',' or ']'"),
                arguments("n_array_comma_after_close", "[\"\"],", "content after the JSON value"),
                arguments("n_array_comma_and_number", "[,1]", "unexpected ','"),
                arguments("n_array_double_comma", "[1,,2]", "unexpected ','"),
                arguments("n_array_extra_close", "[\"x\"]]", "content after the JSON value"),
                arguments("n_array_extra_comma", "[\"\",]", "unexpected ']', expected a JSON value"),
                arguments("n_array_incomplete", "[\"x\"", "unexpected end of input"),
                arguments("n_array_inner_array_no_comma", "[3[4]]", "expected ',' or ']'"),
                arguments("n_array_items_separated_by_semicolon", "[1:2]", "expected ',' or ']'"),
                arguments("n_array_just_comma", "[,]", "unexpected ','"),
                arguments("n_array_just_minus", "[-]", "expected a digit"),
                arguments("n_array_missing_value", "[   , \"\"]", "unexpected ','"),
                arguments("n_array_number_and_comma", "[1,]", "unexpected ']'"),
                arguments("n_array_unclosed", "[\"\"", "unexpected end of input"),
                arguments("n_array_unclosed_trailing_comma", "[1,", "unexpected end of input"),
                arguments("n_incomplete_false", "[fals]", "expected 'false'"),
                arguments("n_incomplete_null", "[nul]", "expected 'null'"),
                arguments("n_incomplete_true", "[tru]", "expected 'true'"),
                arguments("n_structure_capitalized_True", "[True]", "unexpected 'T'"),
                arguments("n_structure_close_unopened_array", "1]", "content after the JSON value"),
                arguments("n_structure_comma_instead_of_closing_brace", "{\"x\": true,", "unexpected end of input"),
                arguments("n_structure_double_array", "[][]", "content after the JSON value"),
                arguments("n_structure_end_array", "]", "unexpected ']'"),
                arguments("n_structure_lone-open-bracket", "[", "unexpected end of input"),
                arguments("n_structure_no_data", "", "unexpected end of input"),
                arguments("n_single_space", " ", "unexpected end of input"),
                arguments("n_structure_null-byte-outside-string", "[\\x00]", "unexpected byte 0x00"),
                arguments("n_structure_number_with_trailing_garbage", "2@", "content after the JSON value"),
                arguments("n_structure_object_followed_by_closing_object", "{}}", "content after the JSON value"),
                arguments("n_structure_object_unclosed_no_value", "{\"\":", "unexpected end of input"),
                arguments("n_structure_object_with_comment", "{\"a\":/*comment*/\"b\"}", "unexpected '/'"),
                arguments("n_structure_open_array_apostrophe", "['", "unexpected '''"),
                arguments("n_structure_trailing_#", "{\"a\":\"b\"}#{}", "content after the JSON value"),
                arguments("n_structure_uescaped_LF_before_string", "[\\u000A\"\"]", "unexpected '\\'"),
                arguments("n_structure_unclosed_array", "[1", "unexpected end of input"),
                arguments("n_structure_unicode-identifier", "\u00e5", "unexpected byte 0xC3"),
                arguments("n_structure_ascii-unicode-identifier", "a\u00e5", "unexpected 'a'"),
                arguments("n_structure_UTF8_BOM_no_data", "\\xEF\\xBB\\xBF", "unexpected byte 0xEF"),
                arguments("i_structure_UTF-8_BOM_empty_object", "\\xEF\\xBB\\xBF{}", "unexpected byte 0xEF"),
                arguments("n_structure_whitespace_formfeed", "[\f]", "unexpected byte 0x0C"),
                arguments("n_structure_whitespace_U+2060_word_joiner", "[\u2060]", "unexpected byte 0xE2"),
                arguments("n_structure_angle_bracket_.", "<.>", "unexpected '<'"),
                arguments("n_structure_array_trailing_garbage", "[1]x", "content after the JSON value"),
                arguments("i_structure_500_nested_arrays", "[".repeat(500) + "]".repeat(500), "nested deeper than 64"),
                // numbers
                arguments("n_number_++", "[++1234]", "unexpected '+'"),
                arguments("n_number_+1", "[+1]", "unexpected '+'"),
                arguments("n_number_+Inf", "[+Inf]", "unexpected '+'"),
                arguments("n_number_-01", "[-01]", "expected ',' or ']'"),
                arguments("n_number_-1.0.", "[-1.0.]", "expected ',' or ']'"),
                arguments("n_number_-2.", "[-2.]", "expected a digit"),
                arguments("n_number_-NaN", "[-NaN]", "expected a digit"),
                arguments("n_number_.-1", "[.-1]", "unexpected '.'"),
                arguments("n_number_.2e-3", "[.2e-3]", "unexpected '.'"),
                arguments("n_number_0.1.2", "[0.1.2]", "expected ',' or ']'"),
                arguments("n_number_0.3e+", "[0.3e+]", "expected a digit"),
                arguments("n_number_0.3e", "[0.3e]", "expected a digit"),
                arguments("n_number_0.e1", "[0.e1]", "expected a digit"),
                arguments("n_number_0_capital_E+", "[0E+]", "expected a digit"),
                arguments("n_number_0e", "[0e]", "expected a digit"),
                arguments("n_number_1_000", "[1 000.0]", "expected ',' or ']'"),
                arguments("n_number_2.e+3", "[2.e+3]", "expected a digit"),
                arguments("n_number_Inf", "[Inf]", "unexpected 'I'"),
                arguments("n_number_NaN", "[NaN]", "unexpected 'N'"),
                arguments("n_number_U+FF11_fullwidth_digit_one", "[\uFF11]", "unexpected byte 0xEF"),
                arguments("n_number_expression", "[1+2]", "expected ',' or ']'"),
                arguments("n_number_hex_1_digit", "[0x1]", "expected ',' or ']'"),
                arguments("n_number_infinity", "[Infinity]", "unexpected 'I'"),
                arguments("n_number_invalid+-", "[0e+-1]", "expected a digit"),
                arguments("n_number_minus_infinity", "[-Infinity]", "expected a digit"),
                arguments("n_number_minus_space_1", "[- 1]", "expected a digit"),
                arguments("n_number_neg_int_starting_with_zero", "[-012]", "expected ',' or ']'"),
                arguments("n_number_neg_real_without_int_part", "[-.123]", "expected a digit"),
                arguments("n_number_real_garbage_after_e", "[1ea]", "expected a digit"),
                arguments("n_number_real_without_fractional_part", "[1.]", "expected a digit"),
                arguments("n_number_starting_with_dot", "[.123]", "unexpected '.'"),
                arguments("n_number_with_alpha", "[1.2a-3]", "expected ',' or ']'"),
                arguments("n_number_with_leading_zero", "[012]", "expected ',' or ']'"),
                arguments("a number longer than 1000 characters", "[" + "9".repeat(1001) + "]",
                        "a number longer than 1000 characters"),
                // objects
                arguments("n_object_bad_value", "[\"x\", truth]", "expected 'true'"),
                arguments("n_object_bracket_key", "{[: \"x\"}", "expected a member name in double quotes"),
                arguments("n_object_comma_instead_of_colon", "{\"x\", null}", "expected ':'"),
                arguments("n_object_double_colon", "{\"x\"::\"b\"}", "unexpected ':'"),
                arguments("n_object_garbage_at_end", "{\"a\":\"a\" 123}", "expected ',' or '}'"),
                arguments("n_object_key_with_single_quotes", "{key: 'value'}", "expected a member name"),
                arguments("n_object_missing_colon", "{\"a\" b}", "expected ':'"),
                arguments("n_object_missing_key", "{:\"b\"}", "expected a member name"),
                arguments("n_object_missing_semicolon", "{\"a\" \"b\"}", "expected ':'"),
                arguments("n_object_missing_value", "{\"a\":", "unexpected end of input"),
                arguments("n_object_no-colon", "{\"a\"", "expected ':'"),
                arguments("n_object_non_string_key", "{1:1}", "expected a member name"),
                arguments("n_object_repeated_null_null", "{null:null,null:null}", "expected a member name"),
                arguments("n_object_single_quote", "{'a':0}", "expected a member name"),
                arguments("n_object_trailing_comma", "{\"id\":0,}", "expected a member name"),
                arguments("n_object_trailing_comment", "{\"a\":\"b\"}/**/", "content after the JSON value"),
                arguments("n_object_trailing_comment_slash_open", "{\"a\":\"b\"}//", "content after the JSON value"),
                arguments("n_object_two_commas_in_a_row", "{\"a\":\"b\",,\"c\":\"d\"}", "expected a member name"),
                arguments("n_object_unquoted_key", "{a: \"b\"}", "expected a member name"),
                arguments("n_object_unterminated-value", "{\"a\":\"a", "unterminated string"),
                arguments("n_object_with_trailing_garbage", "{\"a\": true} \"x\"", "content after the JSON value"),
                arguments("y_object_duplicated_key (refused here)", "{\"a\":\"b\",\"a\":\"c\"}",
                        "duplicated member name \"a\""),
                arguments("y_object_duplicated_key_and_value (refused here)", "{\"a\":\"b\",\"a\":\"b\"}",
                        "duplicated member name \"a\""),
                arguments("a duplicated nested member", "{\"a\":{\"b\":1,\"b\":2}}", "duplicated member name \"b\""),
                arguments("a duplicated member whose first value is null", "{\"a\":null,\"a\":null}",
                        "duplicated member name"),
                arguments("a duplicated member spelled with an escape", "{\"ab\":1,\"\\u0061b\":2}",
                        "duplicated member name \"ab\""),
                // strings
                arguments("n_string_1_surrogate_then_escape", "[\"\\uD800\\\"]", "an unpaired surrogate \\uD800"),
                arguments("n_string_1_surrogate_then_escape_u", "[\"\\uD800\\u\"]", "without four hex digits"),
                arguments("n_string_1_surrogate_then_escape_u1", "[\"\\uD800\\u1\"]", "without four hex digits"),
                arguments("n_string_1_surrogate_then_escape_u1x", "[\"\\uD800\\u1x\"]", "without four hex digits"),
                arguments("n_string_accentuated_char_no_quotes", "[\u00e9]", "unexpected byte 0xC3"),
                arguments("n_string_backslash_00", "[\"\\\\x00\"]", "an invalid escape"),
                arguments("n_string_escape_x", "[\"\\x5Cx00\"]", "an invalid escape"), // \x5C: a backslash
                arguments("n_string_escaped_backslash_bad", "[\"\\\\\\\"]", "unterminated string"),
                arguments("n_string_escaped_ctrl_char_tab", "[\"\\\t\"]", "an invalid escape"),
                arguments("n_string_escaped_emoji", "[\"\\\uD83C\uDF00\"]", "an invalid escape"),
                arguments("n_string_incomplete_escape", "[\"\\\"]", "unterminated string"),
                arguments("n_string_incomplete_escaped_character", "[\"\\u00A\"]", "without four hex digits"),
                arguments("n_string_incomplete_surrogate", "[\"\\uD834\\uDd\"]", "without four hex digits"),
                arguments("n_string_invalid_backslash_esc", "[\"\\a\"]", "an invalid escape"),
                arguments("n_string_invalid_unicode_escape", "[\"\\uqqqq\"]", "without four hex digits"),
                arguments("n_string_invalid_utf8_after_escape", "[\"\\\\xE5\"]", "an invalid escape"),
                arguments("n_string_leading_uescaped_thinspace", "[\\u0020\"asd\"]", "unexpected '\\'"),
                arguments("n_string_no_quotes_with_bad_escape", "[\\n]", "unexpected '\\'"),
                arguments("n_string_single_doublequote", "\"", "unterminated string"),
                arguments("n_string_single_quote", "['single quote']", "unexpected '''"),
                arguments("n_string_single_string_no_double_quotes", "abc", "unexpected 'a'"),
                arguments("n_string_start_escape_unclosed", "[\"\\", "unterminated string"),
                arguments("n_string_unescaped_ctrl_char", "[\"a\\x00a\"]", "a control character not escaped"),
                arguments("n_string_unescaped_newline", "[\"new\nline\"]", "a control character not escaped"),
                arguments("n_string_unescaped_tab", "[\"\t\"]", "a control character not escaped"),
                arguments("n_string_unicode_CapitalU", "\"\\UA66D\"", "an invalid escape"),
                arguments("n_string_with_trailing_garbage", "\"\"x", "content after the JSON value"),
                // unpaired surrogate escapes: implementation-defined (i_), refused here
                arguments("i_string_1st_surrogate_but_2nd_missing", "[\"\\uDADA\"]", "an unpaired surrogate \\uDADA"),
                arguments("i_string_1st_valid_surrogate_2nd_invalid", "[\"\\uD888\\u1234\"]",
                        "an unpaired surrogate \\uD888"),
                arguments("i_string_incomplete_surrogate_and_escape_valid", "[\"\\uD800\\n\"]",
                        "an unpaired surrogate \\uD800"),
                arguments("i_string_incomplete_surrogate_pair", "[\"\\uDd1ea\"]", "an unpaired surrogate \\uDD1E"),
                arguments("i_string_invalid_lonely_surrogate", "[\"\\ud800\"]", "an unpaired surrogate \\uD800"),
                arguments("i_string_invalid_surrogate", "[\"\\ud800abc\"]", "an unpaired surrogate \\uD800"),
                arguments("i_string_inverted_surrogates_U+1D11E", "[\"\\uDd1e\\uD834\"]",
                        "an unpaired surrogate \\uDD1E"),
                arguments("i_object_key_lone_2nd_surrogate", "{\"\\uDFAA\":0}", "an unpaired surrogate \\uDFAA"),
                // ill-formed UTF-8: implementation-defined (i_), refused here
                arguments("i_string_UTF-8_invalid_sequence", "[\"\u65e5\u0448\\xFA\"]", "ill-formed UTF-8"),
                arguments("i_string_UTF8_surrogate_U+D800", "[\"\\xED\\xA0\\x80\"]", "ill-formed UTF-8"),
                arguments("i_string_encoded_low_surrogate", "[\"\\xED\\xBF\\xBF\"]", "ill-formed UTF-8"),
                arguments("i_string_encoded_surrogate_pair_CESU-8", "[\"\\xED\\xA0\\xBD\\xED\\xB8\\x80\"]",
                        "ill-formed UTF-8"),
                arguments("i_string_overlong_sequence_2_bytes", "[\"\\xC0\\xAF\"]", "ill-formed UTF-8"),
                arguments("i_string_overlong_sequence_2_bytes_C1", "[\"\\xC1\\xBF\"]", "ill-formed UTF-8"),
                arguments("i_string_overlong_sequence_3_bytes", "[\"\\xE0\\x80\\xAF\"]", "ill-formed UTF-8"),
                arguments("i_string_overlong_sequence_4_bytes", "[\"\\xF0\\x80\\x80\\xAF\"]", "ill-formed UTF-8"),
                arguments("i_string_overlong_sequence_6_bytes", "[\"\\xFC\\x83\\xBF\\xBF\\xBF\\xBF\"]",
                        "ill-formed UTF-8"),
                arguments("i_string_overlong_sequence_6_bytes_null", "[\"\\xFC\\x80\\x80\\x80\\x80\\x80\"]",
                        "ill-formed UTF-8"),
                arguments("i_string_not_in_unicode_range", "[\"\\xF4\\xBF\\xBF\\xBF\"]", "ill-formed UTF-8"),
                arguments("i_string_F5_lead", "[\"\\xF5\\x80\\x80\\x80\"]", "ill-formed UTF-8"),
                arguments("i_string_lone_utf8_continuation_byte", "[\"\\x81\"]", "ill-formed UTF-8"),
                arguments("i_string_lone_second_bytes", "[\"\\xA0\\xA1\"]", "ill-formed UTF-8"),
                arguments("i_string_truncated-utf-8", "[\"\\xE0\\xFF\"]", "ill-formed UTF-8"),
                arguments("i_string_truncated_3_byte_sequence_before_quote", "[\"\\xE2\\x82\"]", "ill-formed UTF-8"),
                arguments("i_string_truncated_at_end_of_input", "[\"\\xF0\\x9F\\x98", "ill-formed UTF-8"),
                arguments("i_string_iso_latin_1", "[\"\\xE9\"]", "ill-formed UTF-8"),
                arguments("i_string_invalid_utf-8", "[\"\\xFF\"]", "ill-formed UTF-8"),
                arguments("i_object_key_ill-formed_utf8", "{\"acti\\xFFve\":true}", "ill-formed UTF-8"),
                arguments("i_string_UTF-16LE_with_BOM", "\\xFF\\xFE[\\x00\"\\x00", "unexpected byte 0xFF"),
                arguments("i_string_utf16BE_no_BOM", "\\x00[\\x00\"", "unexpected byte 0x00"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("accepted")
    void readWhenStrictJsonThenReadAndWrittenBackEqual(String name, String input) throws Json.ParseException {
        Object value = Json.UPSTREAM.read(bytes(input));

        String written = Json.write(value);
        assertThat(Json.UPSTREAM.read(written.getBytes(StandardCharsets.UTF_8))).isEqualTo(value);
        assertThat(written).doesNotContain("\n", "\r", "\u2028", "\u2029");
    }

    @ParameterizedTest(name = "{0}: {2}")
    @MethodSource("refused")
    void readWhenNotStrictJsonThenRefusedNamingWhy(String name, String input, String why) {
        assertThatThrownBy(() -> Json.UPSTREAM.read(bytes(input)))
                .isInstanceOf(Json.ParseException.class)
                .hasMessageContaining(why)
                .hasMessageContaining(" at offset ");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void isUtf8WhenIllFormedThenFalseWhereTheReaderSaysSo(String name, String input, String why) {
        if (why.equals("ill-formed UTF-8")) {
            assertThat(Json.isUtf8(bytes(input))).isFalse();
        }
    }

    @Test
    void readWhenValuesThenPlainJavaValuesOfEachKind() throws Json.ParseException {
        Object value = read("{\"s\":\"x\",\"t\":true,\"f\":false,\"n\":null,\"i\":1700000000,\"neg\":-42,"
                + "\"min\":-9223372036854775808,\"max\":9223372036854775807,\"big\":9223372036854775808,"
                + "\"d\":1.5,\"e\":1e2,\"z\":-0,\"dz\":-0.0,\"inf\":1E805,\"tiny\":123.456e-789,"
                + "\"a\":[1,\"2\"],\"o\":{}}");

        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("s", "x");
        expected.put("t", true);
        expected.put("f", false);
        expected.put("n", null);
        expected.put("i", 1700000000L);
        expected.put("neg", -42L);
        expected.put("min", Long.MIN_VALUE);
        expected.put("max", Long.MAX_VALUE);
        expected.put("big", new BigInteger("9223372036854775808"));
        expected.put("d", 1.5);
        expected.put("e", 100.0);
        expected.put("z", 0L);
        expected.put("dz", -0.0);
        expected.put("inf", Double.POSITIVE_INFINITY);
        expected.put("tiny", 0.0);
        expected.put("a", List.of(1L, "2"));
        expected.put("o", Map.of());
        assertThat(value).isEqualTo(expected);
        assertThat(List.copyOf(((Map<?, ?>) value).keySet())).as("member order kept")
                .isEqualTo(List.copyOf(expected.keySet()));
    }

    @Test
    void readWhenStringsThenEveryEscapeAndUtf8Decoded() throws Json.ParseException {
        assertThat(read("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00e9\\u20AC\\uD834\\uDD1E\"")).isEqualTo(
                "\"\\/\b\f\n\r\tA\u00e9\u20ac\uD834\uDD1E");
        assertThat(read("\"\u00e9\u20ac\uD834\uDD1E\u007f\"")).as("UTF-8 of 2, 3 and 4 bytes, DEL unescaped")
                .isEqualTo("\u00e9\u20ac\uD834\uDD1E\u007f");
        assertThat(read("\"" + "\u00e9".repeat(5000) + "x\\n\"")).as("a long string grows the buffer")
                .isEqualTo("\u00e9".repeat(5000) + "x\n");
        assertThat(read("[\"ab\\n\",\"\u00e9\",\"cd\"]")).as("the buffer of one string is not left in the next")
                .isEqualTo(List.of("ab\n", "\u00e9", "cd"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void readWhenResultThenUnmodifiable() throws Json.ParseException {
        Map<String, Object> object = (Map<String, Object>) read("{\"a\":[1],\"e\":{},\"l\":[]}");

        assertThatThrownBy(() -> object.put("b", 1)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> ((List<Object>) object.get("a")).add(2)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> ((Map<String, Object>) object.get("e")).put("b", 1))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> ((List<Object>) object.get("l")).add(1)).isInstanceOf(UnsupportedOperationException.class);
        assertThat(object.containsKey(null)).isFalse();
    }

    @Test
    void readWhenNestedToTheLimitThenReadAndOneDeeperRefused() throws Json.ParseException {
        assertThat(read("[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH))).isInstanceOf(List.class);
        assertThat(read("{\"a\":".repeat(Json.MAX_DEPTH) + "1" + "}".repeat(Json.MAX_DEPTH))).isInstanceOf(Map.class);

        assertThatThrownBy(() -> read("[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1)))
                .hasMessage("nested deeper than 64 arrays and objects at offset 64");
    }

    @Test
    void readWhenDepthBombThenRefusedWithoutExhaustingTheStack() {
        byte[] bomb = new byte[4 * 1024 * 1024];
        Arrays.fill(bomb, (byte) '[');
        byte[] objects = "{\"a\":".repeat(1_000_000).getBytes(StandardCharsets.US_ASCII);

        assertThatThrownBy(() -> Json.UPSTREAM.read(bomb)).isInstanceOf(Json.ParseException.class)
                .hasMessageContaining("nested deeper than 64");
        assertThatThrownBy(() -> Json.UPSTREAM.read(objects)).isInstanceOf(Json.ParseException.class)
                .hasMessageContaining("nested deeper than 64");
    }

    @Test
    void readWhenNumberAtTheLengthLimitThenReadAsBigInteger() throws Json.ParseException {
        assertThat(read("9".repeat(Json.MAX_NUMBER_LENGTH))).isEqualTo(new BigInteger("9".repeat(1000)));
        assertThat(read("-" + "9".repeat(Json.MAX_NUMBER_LENGTH - 1))).isInstanceOf(BigInteger.class);
        assertThatThrownBy(() -> read("-" + "9".repeat(Json.MAX_NUMBER_LENGTH)))
                .hasMessageContaining("a number longer than 1000 characters");
        assertThatThrownBy(() -> read("0." + "1".repeat(Json.MAX_NUMBER_LENGTH)))
                .hasMessageContaining("a number longer than 1000 characters");
    }

    @Test
    void joseWhenPlainObjectThenMapWithLongIntegers() throws Json.ParseException {
        assertThat(jose("{\"exp\":1700000000,\"n\":1.5,\"a\":[1]}"))
                .isEqualTo(Map.of("exp", 1700000000L, "n", 1.5, "a", List.of(1L)));
    }

    @ParameterizedTest
    @MethodSource("joseRefusals")
    void joseWhenNotOneStrictObjectThenRefused(String json, String why) {
        assertThatThrownBy(() -> jose(json)).isInstanceOf(Json.ParseException.class).hasMessageContaining(why);
    }

    static Stream<Arguments> joseRefusals() {
        return Stream.of(
                arguments("[{\"sub\":\"a\"}]", "not a JSON object"),
                arguments("\"sub\"", "not a JSON object"),
                arguments("", "not a JSON object"),
                arguments("{\"sub\":\"a\"}{\"sub\":\"b\"}", "content after the JSON value"),
                arguments("{\"sub\":\"a\",\"sub\":\"b\"}", "duplicated member name"),
                arguments("{\"exp\":NaN}", "unexpected 'N'"),
                arguments("{\"a\":\"" + "x".repeat(Json.MAX_JOSE_BYTES) + "\"}", "larger than 16384 bytes"));
    }

    @Test
    void readObjectWhenUpstreamObjectThenRead() throws Json.ParseException {
        assertThat(Json.UPSTREAM.readObject("{\"active\":true,\"exp\":1.5e9}".getBytes(StandardCharsets.UTF_8)))
                .containsEntry("active", true).containsEntry("exp", 1.5e9);
        String large = "{\"a\":\"" + "x".repeat(Json.MAX_JOSE_BYTES) + "\"}";
        assertThat(Json.UPSTREAM.readObject(large.getBytes(StandardCharsets.UTF_8))).as("no JOSE size limit")
                .containsKey("a");
    }

    @Test
    void isUtf8WhenWellFormedOrAsciiOrEmptyThenTrueElseFalse() {
        assertThat(Json.isUtf8(new byte[0])).isTrue();
        assertThat(Json.isUtf8("{\"active\":true}".getBytes(StandardCharsets.US_ASCII))).isTrue();
        assertThat(Json.isUtf8("{\"sub\":\"j\u00f6rg \u20ac \uD834\uDD1E\"}".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(Json.isUtf8(bytes("\\xF4\\x8F\\xBF\\xBF"))).as("U+10FFFF").isTrue();
        assertThat(Json.isUtf8(bytes("\\xEE\\x80\\x80"))).as("U+E000, after the surrogates").isTrue();
        assertThat(Json.isUtf8(new byte[] {(byte) 0xFF})).isFalse();
        assertThat(Json.isUtf8(new byte[] {(byte) 0xC3})).as("a truncated sequence").isFalse();
        assertThat(Json.isUtf8(new byte[] {'{', (byte) 0xC0, (byte) 0xAF, '}'})).as("an overlong '/'").isFalse();
        assertThat(Json.isUtf8(bytes("\\xED\\xA0\\x80"))).as("an encoded surrogate").isFalse();
        assertThat(Json.isUtf8(bytes("\\xF4\\x90\\x80\\x80"))).as("beyond U+10FFFF").isFalse();
        assertThat(Json.isUtf8(bytes("\\xE2\\x82x"))).as("a sequence cut by ASCII").isFalse();
    }

    @Test
    void isUtf8AgreesWithTheJdkDecoderOnEveryTwoAndThreeByteSequence() {
        java.nio.charset.CharsetDecoder jdk = StandardCharsets.UTF_8.newDecoder();
        for (int a = 0x80; a <= 0xFF; a++) {
            for (int b = 0; b <= 0xFF; b++) {
                for (int c : new int[] {0x00, 0x41, 0x7F, 0x80, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF}) {
                    byte[] three = {(byte) a, (byte) b, (byte) c};
                    assertThat(Json.isUtf8(three)).as("%02X %02X %02X", a, b, c).isEqualTo(decodes(jdk, three));
                    byte[] four = {(byte) a, (byte) b, (byte) c, (byte) 0x80};
                    assertThat(Json.isUtf8(four)).as("%02X %02X %02X 80", a, b, c).isEqualTo(decodes(jdk, four));
                }
            }
        }
    }

    @Test
    void writeWhenObjectThenCompactInOrderWithEveryKind() {
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("z", "last first");
        object.put("a", List.of(1, 2L, new BigInteger("99999999999999999999"), 1.5, -0.0, 1e21, true));
        object.put("n", null);
        object.put("o", Map.of("k", false));

        assertThat(Json.write(object)).isEqualTo("{\"z\":\"last first\",\"a\":[1,2,99999999999999999999,1.5,-0.0,"
                + "1.0E21,true],\"n\":null,\"o\":{\"k\":false}}");
    }

    @Test
    void writeWhenStringsThenQuotesBackslashControlsLineSeparatorsAndLoneSurrogatesEscaped() {
        assertThat(Json.write("a\"b\\c/\n\r\t\b\f\u0000\u001f\u007f\u2028\u2029\u00e9\uD834\uDD1E"))
                .isEqualTo("\"a\\\"b\\\\c/\\n\\r\\t\\b\\f\\u0000\\u001F\u007f\\u2028\\u2029\u00e9\uD834\uDD1E\"");
        assertThat(Json.write("a\uD800b\uDC00\uDC00\uD800")).as("unpaired surrogates, both kinds, at the end too")
                .isEqualTo("\"a\\uD800b\\uDC00\\uDC00\\uD800\"");
        assertThat(Json.write("\uD834\uDD1E\uD834")).isEqualTo("\"\uD834\uDD1E\\uD834\"");
        assertThat(Json.write("")).isEqualTo("\"\"");
    }

    @Test
    void writeWhenInfiniteOrNanThenJsonThatReadsBackTheSame() throws Json.ParseException {
        assertThat(Json.write(List.of(Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN, 1.0f)))
                .isEqualTo("[1e999,-1e999,null,1.0]");
        assertThat(read("[1e999,-1e999]")).isEqualTo(List.of(Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY));
    }

    @Test
    void writeWhenNotAJsonValueThenIllegalArgumentNamingIt() {
        assertThatThrownBy(() -> Json.write(new Object())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("JSON cannot hold a java.lang.Object");
        assertThatThrownBy(() -> Json.write(Map.of(1, 2))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("member name must be a String");
        List<Object> deep = new ArrayList<>();
        Object value = deep;
        for (int i = 0; i < Json.MAX_DEPTH; i++) {
            value = List.of(value);
        }
        Object tooDeep = value;
        assertThatThrownBy(() -> Json.write(tooDeep)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nested deeper than 64");
    }

    @Test
    void objectWriterWhenMembersPutThenOneLineInOrder() {
        String line = Json.object().put("path", "/a\nb").put("status", 401).put("latency_ms", 0.25)
                .put("ok", false).put("none", (String) null).put("scopes", List.of("read", "write"))
                .put("errors", new java.util.TreeMap<>(Map.of("b", 2, "a", 1))).toJson();

        assertThat(line).isEqualTo("{\"path\":\"/a\\nb\",\"status\":401,\"latency_ms\":0.25,\"ok\":false,"
                + "\"none\":null,\"scopes\":[\"read\",\"write\"],\"errors\":{\"a\":1,\"b\":2}}").doesNotContain("\n");
        assertThat(Json.object().toJson()).isEqualTo("{}");
    }

    @Test
    void objectWriterWhenWrittenThenDoneAndToJsonStable() {
        Json.ObjectWriter writer = Json.object().put("a", 1);

        assertThat(writer.toJson()).isEqualTo(writer.toJson()).isEqualTo(writer.toString()).isEqualTo("{\"a\":1}");
        assertThatThrownBy(() -> writer.put("b", 2)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void kindWhenEachValueThenItsJsonName() throws Json.ParseException {
        assertThat(((List<?>) read("[\"s\",1,1.5,true,null,[],{}]")).stream().map(Json::kind))
                .containsExactly("string", "number", "number", "boolean", "null", "array", "object");
    }

    @Test
    void isBlankWhenOnlyJsonWhitespaceThenTrue() {
        assertThat(Json.isBlank(new byte[0])).isTrue();
        assertThat(Json.isBlank(" \t\r\n".getBytes(StandardCharsets.US_ASCII))).isTrue();
        assertThat(Json.isBlank("\f".getBytes(StandardCharsets.US_ASCII))).isFalse();
        assertThat(Json.isBlank(" {} ".getBytes(StandardCharsets.US_ASCII))).isFalse();
    }

    private static boolean decodes(java.nio.charset.CharsetDecoder decoder, byte[] bytes) {
        try {
            decoder.reset().decode(java.nio.ByteBuffer.wrap(bytes));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }

    private static Object read(String json) throws Json.ParseException {
        return Json.UPSTREAM.read(json.getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, Object> jose(String json) throws Json.ParseException {
        return Json.JOSE.readObject(json.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code text} as UTF-8, with each {@code \xNN} the raw byte NN. */
    static byte[] bytes(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < text.length()) {
            int x = text.indexOf("\\x", i);
            if (x < 0 || x + 4 > text.length()) {
                out.writeBytes(text.substring(i).getBytes(StandardCharsets.UTF_8));
                break;
            }
            out.writeBytes(text.substring(i, x).getBytes(StandardCharsets.UTF_8));
            out.write(Integer.parseInt(text.substring(x + 2, x + 4), 16));
            i = x + 4;
        }
        return out.toByteArray();
    }
}
