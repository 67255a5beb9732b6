// The reply-matching model behind PipelineTracker; see the header for the rules it follows.
#include "protocol/pipeline_tracker.hpp"

#include <algorithm>

#include "protocol/error_fields.hpp"
#include "protocol/message_type.hpp"

namespace pgfront::protocol {

bool PipelineTracker::is_marker(Pending p) {
    return p == Pending::copy_data || p == Pending::copy_done || p == Pending::copy_fail;
}

bool PipelineTracker::expects_ready(Pending p) {
    return p == Pending::sync || p == Pending::query || p == Pending::function_call;
}

bool PipelineTracker::at_boundary() const {
    return reusable() && queue_.empty() && !skipping_ && !unsynced_ &&
           status_ == TransactionStatus::idle;
}

bool PipelineTracker::in_copy() const {
    switch (phase_) {
        case Phase::copy_in:
        case Phase::copy_in_done:
        case Phase::copy_in_failed:
        case Phase::copy_out:
        case Phase::copy_out_done:
        case Phase::copy_both:
            return !queue_.empty();
        default:
            return false;
    }
}

void PipelineTracker::push(Pending p) {
    queue_.push_back(p);
    if (!is_marker(p)) ++requests_;
    if (expects_ready(p)) ++ready_expected_;
}

void PipelineTracker::pop_front() {
    const Pending p = queue_.front();
    queue_.pop_front();
    if (!is_marker(p)) {
        --requests_;
        if (flush_owed_ > 0) --flush_owed_;
    }
    if (expects_ready(p)) --ready_expected_;
    phase_ = Phase::start;
    copy_data_seen_ = false;
    sync_after_copy_data_ = false;
}

void PipelineTracker::erase_second() {
    const Pending p = queue_[1];
    queue_.erase(queue_.begin() + 1);
    if (!is_marker(p)) --requests_;
    if (expects_ready(p)) --ready_expected_;
    flush_owed_ = std::min(flush_owed_, requests_);
}

// Whether the queue ends in an extended-protocol message with no Sync, Query or FunctionCall
// after it. Only called while the head is a COPY command, which bounds the scan: a Query head
// ends any earlier batch, an Execute head is itself part of one.
bool PipelineTracker::unsynced_in_queue() const {
    for (auto it = queue_.rbegin(); it != queue_.rend(); ++it) {
        if (expects_ready(*it)) return false;
        if (!is_marker(*it)) return true;
    }
    return false;
}

// Lets the modelled server read what it reads without answering: copy markers reaching the
// head outside a COPY, and everything a copy-in consumes behind the command that started it.
void PipelineTracker::settle() {
    while (!queue_.empty()) {
        if (is_marker(queue_.front())) {
            pop_front();
            continue;
        }
        if ((phase_ != Phase::copy_in && phase_ != Phase::copy_both) || queue_.size() < 2) break;
        const Pending next = queue_[1];
        erase_second();
        switch (next) {
            case Pending::copy_data:
                copy_data_seen_ = true;
                break;
            case Pending::sync:  // ignored in copy-in mode
                if (copy_data_seen_) sync_after_copy_data_ = true;
                break;
            case Pending::copy_done:
                phase_ = phase_ == Phase::copy_both ? Phase::copy_out : Phase::copy_in_done;
                break;
            default:  // CopyFail, or any other message, which fails the COPY
                phase_ = Phase::copy_in_failed;
                break;
        }
        // What the COPY swallowed never ran as a Sync or an extended message.
        unsynced_ = unsynced_in_queue();
    }
}

void PipelineTracker::skip_to_sync() {
    pop_front();
    while (!queue_.empty() && queue_.front() != Pending::sync) pop_front();
    if (queue_.empty()) skipping_ = true;
}

bool PipelineTracker::replies_due() const {
    if (requests_ == 0) return false;
    if (ready_expected_ > 0 || flush_owed_ > 0) return true;
    return phase_ == Phase::copy_out || phase_ == Phase::copy_out_done || phase_ == Phase::copy_both;
}

PipelineTracker::Result PipelineTracker::violation(std::string_view problem) {
    if (!violated_) {
        violated_ = true;
        unusable_reason_ = problem;
    }
    return {false, unusable_reason_};
}

void PipelineTracker::make_unusable(std::string_view reason) {
    if (unusable_reason_.empty()) unusable_reason_ = reason;
}

PipelineTracker::Result PipelineTracker::on_frontend(char type, Bytes payload) {
    if (violated_) return {false, unusable_reason_};
    if (!reusable()) return {};  // closing anyway; nothing left to decide
    Pending pending{};
    switch (type) {
        case frontend::query:
            pending = Pending::query;
            break;
        case frontend::function_call:
            pending = Pending::function_call;
            break;
        case frontend::parse:
            pending = Pending::parse;
            break;
        case frontend::bind:
            pending = Pending::bind;
            break;
        case frontend::execute:
            pending = Pending::execute;
            break;
        case frontend::close:
            pending = Pending::close;
            break;
        case frontend::describe:
            // A bad subtype draws an ErrorResponse, which either kind handles the same way.
            pending = !payload.empty() && payload[0] == std::byte{'S'} ? Pending::describe_statement
                                                                       : Pending::describe_portal;
            break;
        case frontend::flush:
            // No reply of its own; the server sends what it owes so far (a server skipping
            // to Sync, or in copy-in, ignores it).
            if (!skipping_ && phase_ != Phase::copy_in) flush_owed_ = requests_;
            return {};
        case frontend::sync:
            push(Pending::sync);
            skipping_ = false;
            unsynced_ = false;
            settle();
            return {};
        case frontend::copy_data:
            pending = Pending::copy_data;
            // Runs of CopyData behave as one: keep the queue short during bulk loads.
            if (!queue_.empty() && queue_.back() == Pending::copy_data) return {};
            break;
        case frontend::copy_done:
            pending = Pending::copy_done;
            break;
        case frontend::copy_fail:
            pending = Pending::copy_fail;
            break;
        case frontend::terminate:
            make_unusable("client sent Terminate");
            return {};
        default:
            return violation("frontend message not valid after startup");
    }
    if (pending == Pending::query || pending == Pending::function_call) {
        if (!skipping_) unsynced_ = false;  // it ends with ReadyForQuery like a Sync
    } else if (!is_marker(pending)) {
        unsynced_ = true;
    }
    if (!skipping_) push(pending);  // a server skipping to Sync ignores it
    settle();
    return {};
}

PipelineTracker::Result PipelineTracker::on_backend(char type, Bytes payload) {
    if (violated_) return {false, unusable_reason_};
    if (!reusable()) return {};
    switch (type) {
        case backend::notice_response:
        case backend::parameter_status:
        case backend::notification_response:
            return {};  // asynchronous: may arrive at any time
        case backend::error_response:
            return error_response(payload);
        default:
            break;
    }
    if (queue_.empty()) return violation("backend message with no request outstanding");
    if (!reply(type, payload)) return violation("backend message does not answer the request");
    settle();
    return {};
}

bool PipelineTracker::reply(char type, Bytes payload) {
    switch (queue_.front()) {
        case Pending::parse:
            if (type != backend::parse_complete) return false;
            pop_front();
            return true;
        case Pending::bind:
            if (type != backend::bind_complete) return false;
            pop_front();
            return true;
        case Pending::close:
            if (type != backend::close_complete) return false;
            pop_front();
            return true;
        case Pending::describe_statement:
            if (phase_ == Phase::start && type == backend::parameter_description) {
                phase_ = Phase::described;
                return true;
            }
            if (phase_ != Phase::described) return false;
            [[fallthrough]];
        case Pending::describe_portal:
            if (type != backend::row_description && type != backend::no_data) return false;
            pop_front();
            return true;
        case Pending::execute:
            return execute_reply(type);
        case Pending::query:
            return query_reply(type, payload);
        case Pending::function_call:
            if (phase_ == Phase::start && type == backend::function_call_response) {
                phase_ = Phase::returned;
                return true;
            }
            return (phase_ == Phase::returned || phase_ == Phase::failed) &&
                   type == backend::ready_for_query && ready_for_query(payload);
        case Pending::sync:
            return type == backend::ready_for_query && ready_for_query(payload);
        default:
            return false;  // markers never stay at the head
    }
}

bool PipelineTracker::execute_reply(char type) {
    switch (phase_) {
        case Phase::start:
            switch (type) {
                case backend::data_row:
                    return true;
                case backend::command_complete:
                case backend::empty_query_response:
                case backend::portal_suspended:
                    pop_front();
                    return true;
                case backend::copy_in_response:
                    phase_ = Phase::copy_in;
                    return true;
                case backend::copy_out_response:
                    phase_ = Phase::copy_out;
                    return true;
                case backend::copy_both_response:
                    phase_ = Phase::copy_both;
                    return true;
                default:
                    return false;
            }
        case Phase::copy_in_done:
        case Phase::copy_out_done:
            if (type != backend::command_complete) return false;
            pop_front();
            return true;
        case Phase::copy_out:
        case Phase::copy_both:
            if (type == backend::copy_data) return true;
            if (type != backend::copy_done) return false;
            phase_ = phase_ == Phase::copy_out ? Phase::copy_out_done : Phase::copy_in;
            return true;
        default:
            return false;
    }
}

bool PipelineTracker::query_reply(char type, Bytes payload) {
    switch (phase_) {
        case Phase::start:
        case Phase::copy_in_done:  // after CopyDone the rest of the query's results follow
            phase_ = Phase::start;
            switch (type) {
                case backend::row_description:
                case backend::data_row:
                case backend::command_complete:
                case backend::empty_query_response:
                    return true;
                case backend::copy_in_response:
                    phase_ = Phase::copy_in;
                    return true;
                case backend::copy_out_response:
                    phase_ = Phase::copy_out;
                    return true;
                case backend::copy_both_response:
                    phase_ = Phase::copy_both;
                    return true;
                case backend::ready_for_query:
                    return ready_for_query(payload);
                default:
                    return false;
            }
        case Phase::copy_out:
        case Phase::copy_both:
            if (type == backend::copy_data) return true;
            if (type != backend::copy_done) return false;
            phase_ = phase_ == Phase::copy_out ? Phase::start : Phase::copy_in;
            return true;
        case Phase::failed:
            return type == backend::ready_for_query && ready_for_query(payload);
        default:
            return false;
    }
}

bool PipelineTracker::ready_for_query(Bytes payload) {
    const auto rfq = ReadyForQuery::parse(payload);
    if (!rfq) return false;
    status_ = rfq->status;
    pop_front();
    return true;
}

PipelineTracker::Result PipelineTracker::error_response(Bytes payload) {
    const auto fields = ErrorFields::parse(payload);
    if (!fields) return violation("malformed ErrorResponse");
    if (fields->is_fatal()) {
        make_unusable("server sent a FATAL error");
        return {};
    }
    if (queue_.empty()) return violation("ErrorResponse with no request outstanding");
    const bool ambiguous = sync_after_copy_data_;
    switch (queue_.front()) {
        case Pending::query:
        case Pending::function_call:
            phase_ = Phase::failed;
            break;
        case Pending::sync:
            break;  // COMMIT at Sync failed: ReadyForQuery still follows
        default:
            skip_to_sync();
            break;
    }
    if (ambiguous) make_unusable("COPY failed after a Sync inside its data stream");
    settle();
    return {};
}

}  // namespace pgfront::protocol
