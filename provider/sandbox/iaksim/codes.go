package iaksim

import "strconv"

// iakPrepaidMessages is IAK's prepaid rc table (docs/prepaid/response-code.md
// and api.iak.id; providers.md §1.5.1): the message each rc is answered with.
var iakPrepaidMessages = map[string]string{
	"00":  "SUCCESS",
	"06":  "TRANSACTION NOT FOUND",
	"07":  "FAILED",
	"10":  "REACH TOP UP LIMIT USING SAME DESTINATION NUMBER IN 1 DAY",
	"12":  "BALANCE MAXIMUM LIMIT EXCEEDED",
	"13":  "CUSTOMER NUMBER BLOCKED",
	"14":  "INCORRECT DESTINATION NUMBER",
	"16":  "NUMBER NOT MATCH WITH OPERATOR",
	"17":  "INSUFFICIENT DEPOSIT",
	"18":  "NUMBER NOT AVAILABLE",
	"19":  "NUMBER IS ALREADY IN USE",
	"20":  "CODE NOT FOUND",
	"39":  "PROCESS",
	"102": "INVALID IP ADDRESS",
	"106": "PRODUCT IS TEMPORARILY OUT OF SERVICE",
	"107": "ERROR IN XML FORMAT",
	"110": "SYSTEM UNDER MAINTENANCE",
	"117": "PAGE NOT FOUND",
	"118": "ACCOUNT SUSPENDED",
	"121": "MONTHLY TOP UP LIMIT EXCEEDED",
	"131": "TOP UP REGION BLOCKED FOR PLAYER",
	"141": "INVALID USER ID / ZONE ID / SERVER ID / ROLENAME",
	"142": "INVALID USER ID",
	"143": "INQUIRY NOT NEEDED",
	"201": "UNDEFINED RESPONSE CODE",
	"202": "MAXIMUM 1 NUMBER 1 TIME IN 1 DAY",
	"203": "NUMBER IS TOO LONG",
	"204": "WRONG AUTHENTICATION",
	"205": "WRONG COMMAND",
	"206": "THIS DESTINATION NUMBER HAS BEEN BLOCKED",
	"207": "MAXIMUM 1 NUMBER WITH ANY CODE 1 TIME IN 1 DAY",
	"208": "INVALID DATA",
}

// iakPostpaidMessages is IAK's postpaid response_code table
// (docs/postpaid/response-code.md; providers.md §1.5.2).
var iakPostpaidMessages = map[string]string{
	"00":  "SUCCESS",
	"01":  "INVOICE HAS BEEN PAID",
	"02":  "BILL UNPAID",
	"03":  "INVALID REF ID",
	"04":  "BILLING ID EXPIRED",
	"05":  "UNDEFINED ERROR",
	"06":  "INQUIRY ID NOT FOUND",
	"07":  "TRANSACTION FAILED",
	"08":  "BILLING ID BLOCKED",
	"09":  "INQUIRY FAILED",
	"10":  "BILL IS NOT AVAILABLE",
	"11":  "DUPLICATE REF ID",
	"13":  "CUSTOMER NUMBER BLOCKED",
	"14":  "INCORRECT DESTINATION NUMBER",
	"15":  "NUMBER THAT YOU ENTERED IS NOT SUPPORTED",
	"16":  "NUMBER DOESN'T MATCH THE OPERATOR",
	"17":  "BALANCE NOT ENOUGH",
	"20":  "PRODUCT UNREGISTERED",
	"30":  "PAYMENT HAVE TO BE DONE VIA COUNTER / PDAM",
	"31":  "TRANSACTION REJECTED DUE TO EXCEEDING MAXIMAL TOTAL BILL ALLOWED",
	"32":  "TRANSACTION FAILED, PLEASE PAY BILL OF ALL PERIOD",
	"33":  "TRANSACTION CAN'T BE PROCESS, PLEASE TRY AGAIN LATER",
	"34":  "BILL HAS BEEN PAID",
	"35":  "TRANSACTION REJECTED DUE TO ANOTHER UNPAID ARREAR",
	"36":  "EXCEEDING DUE DATE, PLEASE PAY IN THE COUNTER / PDAM",
	"37":  "PAYMENT FAILED",
	"38":  "PAYMENT FAILED, PLEASE DO ANOTHER REQUEST",
	"39":  "PENDING / TRANSACTION IN PROCESS",
	"40":  "TRANSACTION REJECTED DUE TO ALL OR ONE OF THE ARREAR/INVOICE HAS BEEN PAID",
	"41":  "CAN'T BE PAID IN COUNTER, PLEASE PAY TO THE CORRESPONDING COMPANY",
	"42":  "PAYMENT REQUEST HAVEN'T BEEN RECEIEVED",
	"91":  "DATABASE CONNECTION ERROR",
	"92":  "GENERAL ERROR",
	"93":  "INVALID AMOUNT",
	"94":  "SERVICE HAS EXPIRED",
	"100": "INVALID SIGNATURE",
	"101": "INVALID COMMAND",
	"102": "INVALID IP ADDRESS",
	"103": "TIMEOUT",
	"105": "MISC ERROR / BILLER SYSTEM ERROR",
	"106": "PRODUCT IS TEMPORARILY OUT OF SERVICE",
	"107": "XML FORMAT ERROR",
	"108": "SORRY, YOUR ID CAN'T BE USED FOR THIS PRODUCT TRANSACTION",
	"109": "SYSTEM CUT OFF",
	"110": "SYSTEM UNDER MAINTENANCE",
	"117": "PAGE NOT FOUND",
	"118": "ACCOUNT SUSPENDED",
	"201": "UNDEFINED RESPONSE CODE",
}

// iakPrepaidMessage returns rc's message; an rc outside the table (only test
// numbers produce one) reads as IAK's own catch-all.
func iakPrepaidMessage(rc string) string {
	if m, ok := iakPrepaidMessages[rc]; ok {
		return m
	}
	return "UNDEFINED RESPONSE CODE"
}

func iakPostpaidMessage(rc string) string {
	if m, ok := iakPostpaidMessages[rc]; ok {
		return m
	}
	return "UNDEFINED ERROR"
}

// iakRC renders the three digits of a test number as an rc the way IAK
// writes them: two digits below 100 ("07", "14"), three above ("102").
func iakRC(rrr int) string {
	if rrr < 100 {
		s := strconv.Itoa(rrr)
		if len(s) < 2 {
			s = "0" + s
		}
		return s
	}
	return strconv.Itoa(rrr)
}

// iakPrepaidPending reports whether a prepaid rc leaves a transaction in
// process: 39 PROCESS and 201 UNDEFINED RESPONSE CODE.
func iakPrepaidPending(rc string) bool { return rc == "39" || rc == "201" }

// iakPostpaidPending reports whether a payment rc leaves the payment in
// process (checkstatus status 3) rather than failed.
func iakPostpaidPending(rc string) bool { return rc == "39" || rc == "05" || rc == "201" }
