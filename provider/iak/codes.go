package iak

import "topupbot/flows"

// class is what a response code means for the transaction it answers.
type class int

const (
	classUnknown class = iota // not in the table: nothing can be concluded
	classSuccess
	classPending
	// classFailed: a definitive refusal or failure of the transaction.
	classFailed
	// classNotFound: IAK holds no such transaction (prepaid 06).
	classNotFound
	// classMisconfigured: the account cannot transact (sign, IP, suspended).
	classMisconfigured
	// classBadRequest: IAK could not read or route our request (107, 117,
	// 205, 208…). On a first send nothing was created and admins must look;
	// on a check it says nothing about the transaction.
	classBadRequest
	// classOutage: IAK or the biller is down (maintenance, timeouts). On a
	// first send nothing was created; on a check it says nothing.
	classOutage
)

type code struct {
	desc   string
	class  class
	reason flows.Reason
}

// prepaidCodes is IAK's prepaid rc table (docs/prepaid/response-code.md and
// the newer api.iak.id page; providers.md §1.5.1). An rc missing here is
// unknown, never a failure.
var prepaidCodes = map[string]code{
	"00":  {"SUCCESS", classSuccess, ""},
	"06":  {"TRANSACTION NOT FOUND", classNotFound, ""},
	"07":  {"FAILED", classFailed, flows.ReasonFailed},
	"10":  {"REACH TOP UP LIMIT USING SAME DESTINATION NUMBER IN 1 DAY", classFailed, flows.ReasonLimitReached},
	"12":  {"BALANCE MAXIMUM LIMIT EXCEEDED", classFailed, flows.ReasonLimitReached},
	"13":  {"CUSTOMER NUMBER BLOCKED", classFailed, flows.ReasonNumberBlocked},
	"14":  {"INCORRECT DESTINATION NUMBER", classFailed, flows.ReasonWrongNumber},
	"16":  {"NUMBER NOT MATCH WITH OPERATOR", classFailed, flows.ReasonOperatorMismatch},
	"17":  {"INSUFFICIENT DEPOSIT", classFailed, flows.ReasonProviderBalance},
	"18":  {"NUMBER NOT AVAILABLE", classFailed, flows.ReasonNumberUnavailable},
	"19":  {"NUMBER IS ALREADY IN USE", classFailed, flows.ReasonNumberUnavailable},
	"20":  {"CODE NOT FOUND", classFailed, flows.ReasonProductUnavailable},
	"39":  {"PROCESS", classPending, ""},
	"102": {"INVALID IP ADDRESS", classMisconfigured, flows.ReasonServiceUnavailable},
	"106": {"PRODUCT IS TEMPORARILY OUT OF SERVICE", classFailed, flows.ReasonProductUnavailable},
	"107": {"ERROR IN XML FORMAT", classBadRequest, flows.ReasonServiceUnavailable},
	"110": {"SYSTEM UNDER MAINTENANCE", classOutage, flows.ReasonServiceUnavailable},
	"117": {"PAGE NOT FOUND", classBadRequest, flows.ReasonServiceUnavailable},
	"118": {"ACCOUNT SUSPENDED", classMisconfigured, flows.ReasonServiceUnavailable},
	"121": {"MONTHLY TOP UP LIMIT EXCEEDED", classFailed, flows.ReasonLimitReached},
	"131": {"TOP UP REGION BLOCKED FOR PLAYER", classFailed, flows.ReasonInvalidGameID},
	"141": {"INVALID USER ID / ZONE ID / SERVER ID / ROLENAME", classFailed, flows.ReasonInvalidGameID},
	"142": {"INVALID USER ID", classFailed, flows.ReasonInvalidGameID},
	// 143 answers game-id inquiries only; on a transaction it means nothing.
	"143": {"INQUIRY NOT NEEDED", classUnknown, ""},
	"201": {"UNDEFINED RESPONSE CODE", classPending, ""},
	"202": {"MAXIMUM 1 NUMBER 1 TIME IN 1 DAY", classFailed, flows.ReasonLimitReached},
	"203": {"NUMBER IS TOO LONG", classFailed, flows.ReasonWrongNumber},
	"204": {"WRONG AUTHENTICATION", classMisconfigured, flows.ReasonServiceUnavailable},
	"205": {"WRONG COMMAND", classBadRequest, flows.ReasonServiceUnavailable},
	"206": {"THIS DESTINATION NUMBER HAS BEEN BLOCKED", classFailed, flows.ReasonNumberBlocked},
	"207": {"MAXIMUM 1 NUMBER WITH ANY CODE 1 TIME IN 1 DAY", classFailed, flows.ReasonLimitReached},
	"208": {"INVALID DATA", classBadRequest, flows.ReasonServiceUnavailable},
}

// postpaidCodes is IAK's postpaid response_code table
// (docs/postpaid/response-code.md; providers.md §1.5.2). Which codes leave a
// payment unknown is DESIGN rule 8's list, not the table's "Failed" column:
// 05, 39, 91, 92, 103, 105 and 201 say nothing definite about a payment.
var postpaidCodes = map[string]code{
	"00":  {"SUCCESS", classSuccess, ""},
	"01":  {"INVOICE HAS BEEN PAID", classFailed, flows.ReasonBillPaid},
	"02":  {"BILL UNPAID", classUnknown, ""},
	"03":  {"INVALID REF ID", classBadRequest, flows.ReasonServiceUnavailable},
	"04":  {"BILLING ID EXPIRED", classFailed, flows.ReasonBillExpired},
	"05":  {"UNDEFINED ERROR", classPending, ""},
	"06":  {"INQUIRY ID NOT FOUND", classFailed, flows.ReasonBillExpired},
	"07":  {"TRANSACTION FAILED", classFailed, flows.ReasonFailed},
	"08":  {"BILLING ID BLOCKED", classFailed, flows.ReasonBillUnavailable},
	"09":  {"INQUIRY FAILED", classFailed, flows.ReasonBillUnavailable},
	"10":  {"BILL IS NOT AVAILABLE", classFailed, flows.ReasonBillUnavailable},
	"11":  {"DUPLICATE REF ID", classBadRequest, flows.ReasonServiceUnavailable},
	"13":  {"CUSTOMER NUMBER BLOCKED", classFailed, flows.ReasonNumberBlocked},
	"14":  {"INCORRECT DESTINATION NUMBER", classFailed, flows.ReasonWrongNumber},
	"15":  {"NUMBER THAT YOU ENTERED IS NOT SUPPORTED", classFailed, flows.ReasonWrongNumber},
	"16":  {"NUMBER DOESN'T MATCH THE OPERATOR", classFailed, flows.ReasonOperatorMismatch},
	"17":  {"BALANCE NOT ENOUGH", classFailed, flows.ReasonProviderBalance},
	"20":  {"PRODUCT UNREGISTERED", classFailed, flows.ReasonProductUnavailable},
	"30":  {"PAYMENT HAVE TO BE DONE VIA COUNTER / PDAM", classFailed, flows.ReasonBillUnavailable},
	"31":  {"TRANSACTION REJECTED DUE TO EXCEEDING MAXIMAL TOTAL BILL ALLOWED", classFailed, flows.ReasonBillUnavailable},
	"32":  {"TRANSACTION FAILED, PLEASE PAY BILL OF ALL PERIOD", classFailed, flows.ReasonBillUnavailable},
	"33":  {"TRANSACTION CAN'T BE PROCESS, PLEASE TRY AGAIN LATER", classFailed, flows.ReasonServiceUnavailable},
	"34":  {"BILL HAS BEEN PAID", classFailed, flows.ReasonBillPaid},
	"35":  {"TRANSACTION REJECTED DUE TO ANOTHER UNPAID ARREAR", classFailed, flows.ReasonBillUnavailable},
	"36":  {"EXCEEDING DUE DATE, PLEASE PAY IN THE COUNTER / PDAM", classFailed, flows.ReasonBillUnavailable},
	"37":  {"PAYMENT FAILED", classFailed, flows.ReasonFailed},
	"38":  {"PAYMENT FAILED, PLEASE DO ANOTHER REQUEST", classFailed, flows.ReasonFailed},
	"39":  {"PENDING / TRANSACTION IN PROCESS", classPending, ""},
	"40":  {"TRANSACTION REJECTED DUE TO ALL OR ONE OF THE ARREAR/INVOICE HAS BEEN PAID", classFailed, flows.ReasonBillPaid},
	"41":  {"CAN'T BE PAID IN COUNTER, PLEASE PAY TO THE CORRESPONDING COMPANY", classFailed, flows.ReasonBillUnavailable},
	"42":  {"PAYMENT REQUEST HAVEN'T BEEN RECEIVED", classPending, ""},
	"91":  {"DATABASE CONNECTION ERROR", classPending, ""},
	"92":  {"GENERAL ERROR", classPending, ""},
	"93":  {"INVALID AMOUNT", classFailed, flows.ReasonBillUnavailable},
	"94":  {"SERVICE HAS EXPIRED", classFailed, flows.ReasonBillUnavailable},
	"100": {"INVALID SIGNATURE", classMisconfigured, flows.ReasonServiceUnavailable},
	"101": {"INVALID COMMAND", classBadRequest, flows.ReasonServiceUnavailable},
	"102": {"INVALID IP ADDRESS", classMisconfigured, flows.ReasonServiceUnavailable},
	"103": {"TIMEOUT", classOutage, flows.ReasonServiceUnavailable},
	"105": {"MISC ERROR / BILLER SYSTEM ERROR", classOutage, flows.ReasonServiceUnavailable},
	"106": {"PRODUCT IS TEMPORARILY OUT OF SERVICE", classFailed, flows.ReasonProductUnavailable},
	"107": {"XML FORMAT ERROR", classBadRequest, flows.ReasonServiceUnavailable},
	"108": {"SORRY, YOUR ID CAN'T BE USED FOR THIS PRODUCT TRANSACTION", classFailed, flows.ReasonWrongNumber},
	"109": {"SYSTEM CUT OFF", classFailed, flows.ReasonCutOff},
	"110": {"SYSTEM UNDER MAINTENANCE", classFailed, flows.ReasonServiceUnavailable},
	"117": {"PAGE NOT FOUND", classBadRequest, flows.ReasonServiceUnavailable},
	"118": {"ACCOUNT SUSPENDED", classMisconfigured, flows.ReasonServiceUnavailable},
	"201": {"UNDEFINED RESPONSE CODE", classPending, ""},
}
