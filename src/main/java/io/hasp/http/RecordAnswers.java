package io.hasp.http;

import java.net.URI;
import java.util.Optional;
import java.util.function.ToLongFunction;

import org.jboss.resteasy.reactive.RestResponse;

import io.hasp.storage.RecordNotFoundException;
import io.hasp.storage.RecordRepository.Saved;
import io.hasp.storage.Versioned;

/**
 * The answers that the resources of a collection of versioned records share, as API.md states them: a record is
 * served with {@code ETag: "<version>"} ({@link IfMatch#etag}); a creation is 201 with {@code Location} (the
 * collection's path and the id) and that tag; a save (PUT) is 201 when it created the record, 200 when it replaced
 * it; a record that is not there is a 404 problem {@code "<noun> <id> does not exist"}; a delete is 204, or that 404.
 *
 * @param <T> the record type
 */
public final class RecordAnswers<T> {

    private final String collection;
    private final String noun;
    private final ToLongFunction<T> version;

    /**
     * @param collection the collection's path, such as {@code /v1/bookmarks} (a record's path is this, a slash and
     *                   its id)
     * @param noun       what one record is called in a problem's detail, such as {@code bookmark}
     * @param version    a record's version ({@link Versioned#version()})
     */
    public RecordAnswers(String collection, String noun, ToLongFunction<T> version) {
        this.collection = collection;
        this.noun = noun;
        this.version = version;
    }

    /** 201 Created with {@code Location} of record {@code id} and its ETag. */
    public RestResponse<T> created(String id, T record) {
        return RestResponse.ResponseBuilder.<T>created(location(id)).entity(record)
                .tag(IfMatch.etag(version.applyAsLong(record))).build();
    }

    /** 200 with the record and its ETag. */
    public RestResponse<T> ok(T record) {
        return RestResponse.ResponseBuilder.ok(record).tag(IfMatch.etag(version.applyAsLong(record))).build();
    }

    /** {@link #ok} of the record found, or the 404 problem of record {@code id}. */
    public RestResponse<T> found(String id, Optional<T> record) {
        return ok(record.orElseThrow(() -> missing(id)));
    }

    /** A PUT's answer: {@link #created} when the save created record {@code id}, {@link #ok} when it replaced it. */
    public RestResponse<T> saved(String id, Saved<T> saved) {
        return saved.created() ? created(id, saved.record()) : ok(saved.record());
    }

    /** A delete's answer: 204 when record {@code id} {@code existed}, its 404 problem otherwise. */
    public RestResponse<Void> deleted(String id, boolean existed) {
        if (!existed) {
            throw missing(id);
        }
        return RestResponse.noContent();
    }

    /** The 404 problem of record {@code id}: {@code "<noun> <id> does not exist"}. */
    public RecordNotFoundException missing(String id) {
        return new RecordNotFoundException(noun + " " + id + " does not exist");
    }

    /** The path of record {@code id}. */
    public URI location(String id) {
        return URI.create(collection + "/" + id);
    }

    /** 201 Created at {@code location} with {@code body}, for what has no version (and so no ETag). */
    public static <B> RestResponse<B> createdAt(URI location, B body) {
        return RestResponse.ResponseBuilder.<B>created(location).entity(body).build();
    }
}
